-- wrk: a client_credentials token request with client_secret_basic (CC_BASIC = base64 id:secret).
wrk.method = "POST"
wrk.body   = "grant_type=client_credentials&scope=api"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. (os.getenv("CC_BASIC") or "")

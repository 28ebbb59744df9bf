// OAuth form_post response mode: submit the hidden form at once. Without JavaScript the
// "Continue" button does the same.
document.getElementById("form-post")?.submit();

//! One contract for the ephemeral store, run against the in-process map and against Redis.

use std::time::Duration;

use portcullis::store::ephemeral::{Ephemeral, Limit};

use crate::helpers::{random_suffix, redis_url, services_required};

async fn contract(store: Ephemeral) {
    let k = |s: &str| format!("k:{s}");
    assert_eq!(store.get(&k("missing")).await.unwrap(), None);
    store
        .put(&k("a"), "1", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(store.get(&k("a")).await.unwrap().as_deref(), Some("1"));
    store
        .put(&k("a"), "2", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(store.get(&k("a")).await.unwrap().as_deref(), Some("2"));

    // put_if_absent stores only once.
    assert!(
        store
            .put_if_absent(&k("nx"), "first", Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert!(
        !store
            .put_if_absent(&k("nx"), "second", Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert_eq!(store.get(&k("nx")).await.unwrap().as_deref(), Some("first"));

    // take is single use, even when raced.
    store
        .put(&k("once"), "v", Duration::from_secs(60))
        .await
        .unwrap();
    let once = k("once");
    let (a, b) = tokio::join!(store.take(&once), store.take(&once));
    let got: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(got, vec!["v".to_owned()]);
    assert_eq!(store.get(&k("once")).await.unwrap(), None);

    // Counters count atomically.
    let counter = k("n");
    let hits = futures_util::future::join_all(
        (0..50).map(|_| store.incr(&counter, Duration::from_secs(60))),
    )
    .await;
    let mut values: Vec<i64> = hits.into_iter().map(Result::unwrap).collect();
    values.sort();
    assert_eq!(values, (1..=50).collect::<Vec<_>>());

    // Everything expires.
    store
        .put(&k("ttl"), "v", Duration::from_millis(150))
        .await
        .unwrap();
    store
        .incr(&k("cttl"), Duration::from_millis(150))
        .await
        .unwrap();
    assert!(
        store
            .put_if_absent(&k("nxttl"), "v", Duration::from_millis(150))
            .await
            .unwrap()
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.get(&k("ttl")).await.unwrap(), None);
    assert_eq!(
        store
            .incr(&k("cttl"), Duration::from_secs(60))
            .await
            .unwrap(),
        1,
        "a new window starts"
    );
    assert!(
        store
            .put_if_absent(&k("nxttl"), "again", Duration::from_secs(60))
            .await
            .unwrap()
    );

    // Two keys at once, in the order asked, a missing one as nothing.
    assert_eq!(
        store.get_two(&k("a"), &k("missing")).await.unwrap(),
        (Some("2".to_owned()), None)
    );
    assert_eq!(
        store.get_two(&k("missing"), &k("nx")).await.unwrap(),
        (None, Some("first".to_owned()))
    );

    store.delete(&k("a")).await.unwrap();
    assert_eq!(store.get(&k("a")).await.unwrap(), None);
    store.ping().await.unwrap();

    // GCRA: a burst of 3, then one every second; shared by whoever asks with the same key.
    let now = 1_000_000;
    for _ in 0..3 {
        assert_eq!(store.gcra(&k("rl"), now, 1000, 3).await.unwrap(), None);
    }
    let wait = store.gcra(&k("rl"), now, 1000, 3).await.unwrap();
    assert_eq!(wait, Some(1000), "the fourth waits for one interval");
    assert_eq!(
        store.gcra(&k("rl"), now + 999, 1000, 3).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        store.gcra(&k("rl"), now + 1000, 1000, 3).await.unwrap(),
        None
    );
    assert!(
        store
            .gcra(&k("rl"), now + 1000, 1000, 3)
            .await
            .unwrap()
            .is_some()
    );
    // After a quiet spell the whole burst is back.
    for _ in 0..3 {
        assert_eq!(
            store.gcra(&k("rl"), now + 60_000, 1000, 3).await.unwrap(),
            None
        );
    }

    // Several limits in one call count as the same calls one by one would: in order, up to
    // and including the first that refuses, and none after it.
    let (first, second) = (k("rl_a"), k("rl_b"));
    let both = |burst_b| {
        [
            Limit {
                key: &first,
                interval_ms: 1000,
                burst: 5,
            },
            Limit {
                key: &second,
                interval_ms: 1000,
                burst: burst_b,
            },
        ]
    };
    assert_eq!(store.gcra_all(&both(2), now).await.unwrap(), None);
    assert_eq!(store.gcra_all(&both(2), now).await.unwrap(), None);
    assert_eq!(
        store.gcra_all(&both(2), now).await.unwrap(),
        Some((1, 1000)),
        "the second refuses its third hit"
    );
    // The first counted that third hit (5 - 3 left), the second did not count its refusal.
    assert_eq!(store.gcra(&first, now, 1000, 5).await.unwrap(), None);
    assert_eq!(store.gcra(&first, now, 1000, 5).await.unwrap(), None);
    assert_eq!(
        store.gcra_all(&both(2), now).await.unwrap(),
        Some((0, 1000)),
        "the first is spent"
    );
    assert_eq!(
        store.gcra(&second, now + 1000, 1000, 2).await.unwrap(),
        None,
        "a refusal of the first left the second alone: one interval later it has one hit"
    );
    assert_eq!(store.gcra_all(&[], now).await.unwrap(), None);

    // Several keys deleted at once; a missing one is no error.
    for name in ["d1", "d2"] {
        store
            .put(&k(name), "v", Duration::from_secs(60))
            .await
            .unwrap();
    }
    store
        .delete_all(&[&k("d1"), &k("missing"), &k("d2")])
        .await
        .unwrap();
    assert_eq!(
        store.get_two(&k("d1"), &k("d2")).await.unwrap(),
        (None, None)
    );
}

#[tokio::test]
async fn in_process_store_meets_the_contract() {
    contract(Ephemeral::memory()).await;
}

#[tokio::test]
async fn redis_store_meets_the_contract() {
    let prefix = format!("pt_{}:", random_suffix());
    match Ephemeral::redis(&redis_url(), &prefix).await {
        Ok(store) => {
            assert!(store.is_shared());
            contract(store).await;
        }
        Err(e) if !services_required() => {
            eprintln!("SKIPPED: Redis contract test, Redis unreachable ({e:#})")
        }
        Err(e) => panic!("Redis required but unreachable: {e:#}"),
    }
}

#[tokio::test]
async fn two_redis_stores_with_different_prefixes_do_not_meet() {
    let (Ok(a), Ok(b)) = (
        Ephemeral::redis(&redis_url(), &format!("pt_{}:", random_suffix())).await,
        Ephemeral::redis(&redis_url(), &format!("pt_{}:", random_suffix())).await,
    ) else {
        assert!(!services_required(), "Redis required but unreachable");
        eprintln!("SKIPPED: Redis prefix test, Redis unreachable");
        return;
    };
    a.put("shared", "a", Duration::from_secs(30)).await.unwrap();
    assert_eq!(b.get("shared").await.unwrap(), None);
}

// A server's worker threads each run a runtime of their own and get a Redis connection of
// their own, driven there; a thread that asked for none, or whose runtime has shut down,
// shares the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_thread_gets_a_redis_connection_of_its_own() {
    let Ok(store) = Ephemeral::redis(&redis_url(), &format!("pt_{}:", random_suffix())).await
    else {
        assert!(!services_required(), "Redis required but unreachable");
        eprintln!("SKIPPED: Redis worker connection test, Redis unreachable");
        return;
    };
    let store = std::sync::Arc::new(store);
    let shared = store.connection_id().await.unwrap().unwrap();
    let worker = store.clone();
    // The shared connection is driven by this test's runtime, which stays free meanwhile.
    let (own, after) = tokio::task::spawn_blocking(move || {
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        let first = runtime();
        let own = first.block_on(async {
            worker.connect_this_thread();
            worker.connect_this_thread(); // a second call makes no second connection
            let mut id = worker.connection_id().await.unwrap().unwrap();
            for _ in 0..100 {
                if id != shared {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                id = worker.connection_id().await.unwrap().unwrap();
            }
            // Its commands work.
            worker.put("w", "v", Duration::from_secs(30)).await.unwrap();
            assert_eq!(worker.get("w").await.unwrap().as_deref(), Some("v"));
            id
        });
        // The runtime that drove the thread's own connection shuts down; the thread lives on.
        drop(first);
        let after = runtime().block_on(async {
            assert_eq!(worker.get("w").await.unwrap().as_deref(), Some("v"));
            worker.connection_id().await.unwrap().unwrap()
        });
        (own, after)
    })
    .await
    .unwrap();
    assert_ne!(own, shared, "the worker has a connection of its own");
    assert_eq!(
        after, shared,
        "with its runtime gone the thread shares the first"
    );
    assert_eq!(store.connection_id().await.unwrap(), Some(shared));
}

//! Prometheus metrics, served at `/metrics` in the text exposition format: request latency
//! histograms by route, flow outcomes (one counter per audit event kind), the argon2 queue and
//! store errors.
//!
//! The figures are process-wide, like the process they describe. Recording costs a few
//! relaxed atomic adds and, per request, one read-locked map lookup; nothing allocates once a
//! route has been seen.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, RwLock};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The methods that get their own series; anything else is counted as `OTHER`.
const METHODS: [&str; 6] = ["GET", "POST", "PATCH", "DELETE", "PUT", "OTHER"];

#[derive(Default)]
struct Series {
    /// Requests at or under each bound (not cumulative here; summed when rendered).
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    /// Responses by status class 1xx..5xx.
    statuses: [AtomicU64; 5],
}

#[derive(Default)]
struct Route {
    by_method: [Series; METHODS.len()],
}

/// Where store errors came from.
#[derive(Debug, Clone, Copy)]
pub enum Store {
    Database,
    Ephemeral,
}

#[derive(Default)]
pub struct Metrics {
    routes: RwLock<HashMap<String, Arc<Route>>>,
    events: RwLock<HashMap<String, Arc<AtomicU64>>>,
    database_errors: AtomicU64,
    ephemeral_errors: AtomicU64,
    argon2_waiting: AtomicI64,
    argon2_running: AtomicI64,
    audit_dropped: AtomicU64,
    database_statements: AtomicU64,
    database_transactions: AtomicU64,
    /// Whether each SQL text is counted on its own (`[metrics] statement_texts`).
    statement_texts: AtomicBool,
    statements: RwLock<HashMap<String, Arc<Statement>>>,
}

/// The calls of one SQL text and the time they took, like PostgreSQL's pg_stat_statements
/// but counted by the process, so SQLite gets the same figures.
#[derive(Default)]
struct Statement {
    calls: AtomicU64,
    micros: AtomicU64,
}

/// At most this many distinct SQL texts are counted one by one; later ones only in the total.
/// The texts come from the code (values are bound, never inlined), so a few hundred is all a
/// deployment sees.
const STATEMENT_TEXTS: usize = 2000;

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

pub fn global() -> &'static Metrics {
    &METRICS
}

fn method_index(method: &str) -> usize {
    METHODS[..METHODS.len() - 1]
        .iter()
        .position(|m| *m == method)
        .unwrap_or(METHODS.len() - 1)
}

fn bucket_index(seconds: f64) -> Option<usize> {
    BUCKETS.iter().position(|b| seconds <= *b)
}

/// Escapes a label value (exposition format: backslash, quote and newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// One finished request. `route` is the matched route pattern, or `None` for a path no
    /// route matched (counted under one label so random paths cannot grow the map).
    pub fn observe(&self, route: Option<&str>, method: &str, status: u16, took: Duration) {
        let route = route.unwrap_or("unmatched");
        let found = self.routes.read().ok().and_then(|m| m.get(route).cloned());
        let entry = match found {
            Some(e) => e,
            None => {
                let Ok(mut m) = self.routes.write() else {
                    return;
                };
                m.entry(route.to_owned()).or_default().clone()
            }
        };
        let s = &entry.by_method[method_index(method)];
        let secs = took.as_secs_f64();
        if let Some(i) = bucket_index(secs) {
            s.buckets[i].fetch_add(1, Relaxed);
        }
        s.count.fetch_add(1, Relaxed);
        s.sum_micros
            .fetch_add(u64::try_from(took.as_micros()).unwrap_or(u64::MAX), Relaxed);
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        s.statuses[class].fetch_add(1, Relaxed);
    }

    /// A flow outcome: an audit event of `kind` happened.
    pub fn event(&self, kind: &str) {
        if let Some(c) = self.events.read().ok().and_then(|m| m.get(kind).cloned()) {
            c.fetch_add(1, Relaxed);
            return;
        }
        if let Ok(mut m) = self.events.write() {
            m.entry(kind.to_owned()).or_default().fetch_add(1, Relaxed);
        }
    }

    pub fn store_error(&self, store: Store) {
        match store {
            Store::Database => &self.database_errors,
            Store::Ephemeral => &self.ephemeral_errors,
        }
        .fetch_add(1, Relaxed);
    }

    pub fn audit_dropped(&self) {
        self.audit_dropped.fetch_add(1, Relaxed);
    }

    /// A password hash is waiting for a permit (`+1`) or got one (`-1`).
    pub fn argon2_waiting(&self, delta: i64) {
        self.argon2_waiting.fetch_add(delta, Relaxed);
    }

    /// A password hash started (`+1`) or finished (`-1`) on the blocking pool.
    pub fn argon2_running(&self, delta: i64) {
        self.argon2_running.fetch_add(delta, Relaxed);
    }

    /// Counts each SQL text on its own from now on (or stops).
    pub fn count_statement_texts(&self, on: bool) {
        self.statement_texts.store(on, Relaxed);
    }

    /// One statement sent to the database, `sql` with placeholders for its values.
    pub fn statement(&self, sql: &str, took: Duration) {
        self.database_statements.fetch_add(1, Relaxed);
        if !self.statement_texts.load(Relaxed) {
            return;
        }
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        let found = self
            .statements
            .read()
            .ok()
            .and_then(|m| m.get(sql).cloned());
        let entry = match found {
            Some(e) => e,
            None => {
                let Ok(mut m) = self.statements.write() else {
                    return;
                };
                if m.len() >= STATEMENT_TEXTS && !m.contains_key(sql) {
                    return;
                }
                m.entry(sql.to_owned()).or_default().clone()
            }
        };
        entry.calls.fetch_add(1, Relaxed);
        entry.micros.fetch_add(micros, Relaxed);
    }

    /// A database transaction began (its BEGIN and COMMIT are not counted as statements).
    pub fn transaction(&self) {
        self.database_transactions.fetch_add(1, Relaxed);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        let routes: Vec<(String, Arc<Route>)> = self
            .routes
            .read()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let mut routes = routes;
        routes.sort_by(|a, b| a.0.cmp(&b.0));

        out.push_str("# HELP portcullis_http_request_duration_seconds Time from request to response, by route pattern and method.\n");
        out.push_str("# TYPE portcullis_http_request_duration_seconds histogram\n");
        for (route, r) in &routes {
            let route = label(route);
            for (m, s) in METHODS.iter().zip(&r.by_method) {
                let count = s.count.load(Relaxed);
                if count == 0 {
                    continue;
                }
                let mut cumulative = 0;
                for (bound, b) in BUCKETS.iter().zip(&s.buckets) {
                    cumulative += b.load(Relaxed);
                    let _ = writeln!(
                        out,
                        "portcullis_http_request_duration_seconds_bucket{{route=\"{route}\",method=\"{m}\",le=\"{bound}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(
                    out,
                    "portcullis_http_request_duration_seconds_bucket{{route=\"{route}\",method=\"{m}\",le=\"+Inf\"}} {count}"
                );
                let _ = writeln!(
                    out,
                    "portcullis_http_request_duration_seconds_sum{{route=\"{route}\",method=\"{m}\"}} {}",
                    s.sum_micros.load(Relaxed) as f64 / 1e6
                );
                let _ = writeln!(
                    out,
                    "portcullis_http_request_duration_seconds_count{{route=\"{route}\",method=\"{m}\"}} {count}"
                );
            }
        }

        out.push_str(
            "# HELP portcullis_http_responses_total Responses by route pattern, method and status class.\n",
        );
        out.push_str("# TYPE portcullis_http_responses_total counter\n");
        for (route, r) in &routes {
            let route = label(route);
            for (m, s) in METHODS.iter().zip(&r.by_method) {
                for (i, c) in s.statuses.iter().enumerate() {
                    let n = c.load(Relaxed);
                    if n > 0 {
                        let _ = writeln!(
                            out,
                            "portcullis_http_responses_total{{route=\"{route}\",method=\"{m}\",status=\"{}xx\"}} {n}",
                            i + 1
                        );
                    }
                }
            }
        }

        out.push_str("# HELP portcullis_flow_events_total Flow outcomes (sign-ins, sign-ups, factor changes, tokens issued), by audit event kind.\n");
        out.push_str("# TYPE portcullis_flow_events_total counter\n");
        let mut events: Vec<(String, u64)> = self
            .events
            .read()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.load(Relaxed)))
                    .collect()
            })
            .unwrap_or_default();
        events.sort();
        for (kind, n) in events {
            let _ = writeln!(
                out,
                "portcullis_flow_events_total{{kind=\"{}\"}} {n}",
                label(&kind)
            );
        }

        out.push_str("# HELP portcullis_store_errors_total Errors from the database and the ephemeral store (Redis or in-process).\n");
        out.push_str("# TYPE portcullis_store_errors_total counter\n");
        let _ = writeln!(
            out,
            "portcullis_store_errors_total{{store=\"database\"}} {}",
            self.database_errors.load(Relaxed)
        );
        let _ = writeln!(
            out,
            "portcullis_store_errors_total{{store=\"ephemeral\"}} {}",
            self.ephemeral_errors.load(Relaxed)
        );

        out.push_str(
            "# HELP portcullis_argon2_queue_depth Password hashes waiting for a permit.\n",
        );
        out.push_str("# TYPE portcullis_argon2_queue_depth gauge\n");
        let _ = writeln!(
            out,
            "portcullis_argon2_queue_depth {}",
            self.argon2_waiting.load(Relaxed).max(0)
        );
        out.push_str("# HELP portcullis_argon2_running Password hashes being computed.\n");
        out.push_str("# TYPE portcullis_argon2_running gauge\n");
        let _ = writeln!(
            out,
            "portcullis_argon2_running {}",
            self.argon2_running.load(Relaxed).max(0)
        );

        out.push_str("# HELP portcullis_audit_events_dropped_total Audit events dropped because the write buffer was full.\n");
        out.push_str("# TYPE portcullis_audit_events_dropped_total counter\n");
        let _ = writeln!(
            out,
            "portcullis_audit_events_dropped_total {}",
            self.audit_dropped.load(Relaxed)
        );

        out.push_str("# HELP portcullis_database_statements_total Statements sent to the database, counted as they are sent.\n");
        out.push_str("# TYPE portcullis_database_statements_total counter\n");
        let _ = writeln!(
            out,
            "portcullis_database_statements_total {}",
            self.database_statements.load(Relaxed)
        );
        out.push_str("# HELP portcullis_database_transactions_total Database transactions begun (each adds a BEGIN and a COMMIT or ROLLBACK).\n");
        out.push_str("# TYPE portcullis_database_transactions_total counter\n");
        let _ = writeln!(
            out,
            "portcullis_database_transactions_total {}",
            self.database_transactions.load(Relaxed)
        );
        let mut texts: Vec<(String, u64, u64)> = self
            .statements
            .read()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.calls.load(Relaxed), v.micros.load(Relaxed)))
                    .collect()
            })
            .unwrap_or_default();
        if !texts.is_empty() {
            texts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            out.push_str("# HELP portcullis_database_statement_calls_total Calls of each SQL text ([metrics] statement_texts).\n");
            out.push_str("# TYPE portcullis_database_statement_calls_total counter\n");
            for (sql, calls, _) in &texts {
                let _ = writeln!(
                    out,
                    "portcullis_database_statement_calls_total{{sql=\"{}\"}} {calls}",
                    label(sql)
                );
            }
            out.push_str("# HELP portcullis_database_statement_seconds_total Time spent in each SQL text, as the process saw it.\n");
            out.push_str("# TYPE portcullis_database_statement_seconds_total counter\n");
            for (sql, _, micros) in &texts {
                let _ = writeln!(
                    out,
                    "portcullis_database_statement_seconds_total{{sql=\"{}\"}} {}",
                    label(sql),
                    *micros as f64 / 1e6
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_labels_escaped() {
        let m = Metrics::default();
        m.observe(Some("/a\"b"), "GET", 200, Duration::from_micros(300));
        m.observe(Some("/a\"b"), "GET", 503, Duration::from_millis(30));
        m.observe(None, "BREW", 404, Duration::from_secs(10));
        m.event("sign_in.succeeded");
        m.event("sign_in.succeeded");
        m.argon2_waiting(1);
        let text = m.render();
        assert!(text.contains(
            "portcullis_http_request_duration_seconds_bucket{route=\"/a\\\"b\",method=\"GET\",le=\"0.0005\"} 1\n"
        ));
        assert!(text.contains(
            "portcullis_http_request_duration_seconds_bucket{route=\"/a\\\"b\",method=\"GET\",le=\"0.05\"} 2\n"
        ));
        assert!(text.contains(
            "portcullis_http_request_duration_seconds_bucket{route=\"unmatched\",method=\"OTHER\",le=\"2.5\"} 0\n"
        ));
        assert!(text.contains(
            "portcullis_http_request_duration_seconds_bucket{route=\"unmatched\",method=\"OTHER\",le=\"+Inf\"} 1\n"
        ));
        assert!(text.contains(
            "portcullis_http_responses_total{route=\"/a\\\"b\",method=\"GET\",status=\"5xx\"} 1\n"
        ));
        assert!(text.contains("portcullis_flow_events_total{kind=\"sign_in.succeeded\"} 2\n"));
        assert!(text.contains("portcullis_argon2_queue_depth 1\n"));
    }

    #[test]
    fn statements_are_counted_and_their_texts_only_when_asked() {
        let m = Metrics::default();
        m.statement("SELECT 1", Duration::from_micros(10));
        m.transaction();
        let text = m.render();
        assert!(text.contains("portcullis_database_statements_total 1\n"));
        assert!(text.contains("portcullis_database_transactions_total 1\n"));
        assert!(
            !text.contains("statement_calls_total{"),
            "texts are off by default"
        );
        m.count_statement_texts(true);
        m.statement(
            "SELECT \"a\"\nFROM b WHERE c = $1",
            Duration::from_micros(1500),
        );
        m.statement(
            "SELECT \"a\"\nFROM b WHERE c = $1",
            Duration::from_micros(500),
        );
        let text = m.render();
        assert!(text.contains("portcullis_database_statements_total 3\n"));
        assert!(text.contains(
            "portcullis_database_statement_calls_total{sql=\"SELECT \\\"a\\\"\\nFROM b WHERE c = $1\"} 2\n"
        ));
        assert!(text.contains(
            "portcullis_database_statement_seconds_total{sql=\"SELECT \\\"a\\\"\\nFROM b WHERE c = $1\"} 0.002\n"
        ));
        for i in 0..STATEMENT_TEXTS + 5 {
            m.statement(&format!("SELECT {i}"), Duration::ZERO);
        }
        assert_eq!(
            m.statements.read().unwrap().len(),
            STATEMENT_TEXTS,
            "bounded"
        );
    }
}

//! CPU against its limit: throttled capacity, `overload` failures, response
//! times that fail probes, and the death spiral they can start.

use crate::support::{bundled, run, run_traced, scenario, times};

#[test]
fn past_its_cpu_limit_a_pod_processes_what_the_limit_allows() {
    // 10 ms of CPU per request on 500m: 50 req/s at most. At 100 req/s half
    // the requests fail as overload, and the pod uses its whole limit.
    let s = scenario(
        "name: overload
duration: 1h
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads:
  - name: api
    replicas: 1
    resources: { limits: { cpu: 500m } }
    app: { cpuPerRequest: 10ms }
traffic: [ { workload: api, rate: 100 } ]
",
    );
    let out = run(&s, 1);
    let r = &out.report.requests;
    let expected = 0.5 * 360_000.0;
    let overload = r.by_cause["overload"] as f64;
    assert!(
        (overload - expected).abs() < 4.0 * expected.sqrt(),
        "{overload}"
    );
    let w = &out.report.workloads[0].1;
    assert!((w.cpu_cores.avg - 0.5).abs() < 1e-9, "{}", w.cpu_cores.avg);
    assert_eq!(w.cpu_of_limit, Some(1.0));
    assert_eq!(w.cpu_of_request, Some(1.0), "the limit is also the request");
}

#[test]
fn a_tight_cpu_limit_turns_a_small_overload_into_a_death_spiral() {
    let spiral = run_traced(&bundled("death-spiral.yaml"), 8);
    // Every pod is killed again and again, and the Service is mostly empty.
    assert!(spiral.report.workloads[0].1.restarts >= 3 * 5);
    assert!(
        spiral.report.availability.time < 0.5,
        "{}",
        spiral.report.availability.time
    );
    let kills = times(&spiral.trace, "Pod", "Killing", "api-");
    assert!(
        kills.iter().all(|t| *t >= 600.0),
        "nothing before the traffic grows"
    );

    let headroom = run(&bundled("death-spiral-headroom.yaml"), 8);
    assert_eq!(headroom.report.requests.failed, 0);
    assert_eq!(headroom.report.workloads[0].1.restarts, 0);
}

#[test]
fn a_slow_answer_fails_an_http_probe_but_not_a_tcp_one() {
    // At 85 % of the limit the mean response is 0.1 s / (1 − 0.85) = 0.67 s;
    // at 95 % it is 2 s, past a 1 s timeout. The readiness probe notices;
    // the same load under a tcpSocket probe goes unnoticed.
    let s = |handler: &str| {
        scenario(&format!(
            "name: slow
duration: 30m
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - name: api
    replicas: 1
    resources: {{ limits: {{ cpu: \"1\" }} }}
    readinessProbe: {{ {handler}: {{ port: 80 }}, periodSeconds: 5 }}
    app: {{ cpuPerRequest: 10ms, serviceTime: 100ms }}
traffic: [ {{ workload: api, rate: {{ steps: [ {{ at: 0s, rate: 85 }}, {{ at: 10m, rate: 95 }} ] }} }} ]
"
        ))
    };
    let http = run_traced(&s("httpGet"), 1);
    let unhealthy = times(&http.trace, "Pod", "Unhealthy", "api-");
    assert!(!unhealthy.is_empty());
    assert!(
        unhealthy[0] >= 600.0 && unhealthy[0] < 600.0 + 15.0,
        "{unhealthy:?}"
    );
    let tcp = run_traced(&s("tcpSocket"), 1);
    assert!(times(&tcp.trace, "Pod", "Unhealthy", "").is_empty());
}

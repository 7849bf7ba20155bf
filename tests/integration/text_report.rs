//! What a person reads: the text report's sections, the events its timeline
//! quotes, `--seeds`' table and `sweep`'s rows. A test per slip a review
//! found, named after it.

use crate::support::{run_traced, scenario};

/// Three workers, a web Deployment, and the faults given.
fn cluster(faults: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: words
duration: 1h
cluster:
  controlPlane: {{ apiServers: 3, etcdMembers: 3 }}
  nodePools: [ {{ name: w, count: 3, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - name: web
    replicas: 3
    readinessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 5 }}
    app: {{ startup: 5s }}
traffic: [ {{ workload: web, rate: 100 }} ]
faults: {faults}
"
    ))
}

/// The message of the first event with this reason.
fn message(out: &nines::RunOutput, reason: &str) -> String {
    out.trace
        .iter()
        .find(|e| e.reason == reason)
        .unwrap_or_else(|| panic!("a {reason} event"))
        .message
        .to_string()
}

#[test]
fn a_fault_event_gives_its_duration_as_the_report_does_not_in_raw_seconds() {
    // The review's `node workers-3 crashes; it comes back in 1270.553s`.
    let s = cluster(
        "[ { at: 5m, nodeCrash: { node: w-1, recoverAfter: 1270.553s } },
           { at: 10m, trafficSpike: { workload: web, multiplier: 2, duration: 90s } } ]",
    );
    let out = run_traced(&s, 1);
    assert_eq!(
        message(&out, "NodeCrash"),
        "node w-1 crashes; it comes back in 21m 11s"
    );
    assert_eq!(
        message(&out, "TrafficSpike"),
        "requests to `web` ×2 for 1m 30s"
    );
}

#[test]
fn one_etcd_member_stops_in_the_singular() {
    // The review's `1 etcd members stop`.
    let s = cluster(
        "[ { at: 5m, etcdMemberDown: { count: 1, duration: 5m } },
           { at: 20m, etcdMemberDown: { count: 2, duration: 30s } },
           { at: 30m, apiServerDown: { all: true, duration: 45s } } ]",
    );
    let out = run_traced(&s, 1);
    let messages: Vec<&str> = (out.trace.iter())
        .filter(|e| e.kind == "Fault")
        .map(|e| &*e.message)
        .collect();
    assert_eq!(
        messages,
        [
            "1 etcd member stops for 5m 00s",
            "2 etcd members stop for 30s",
            "all API servers stop for 45s",
        ]
    );
}

/// A bundled scenario's text report at its own seed.
fn bundled_text(file: &str) -> String {
    let s = crate::support::bundled(file);
    let seed = s.seed.expect("a bundled scenario has its seed");
    crate::support::run(&s, seed).text(&s.description)
}

#[test]
fn a_run_of_one_event_says_1_event() {
    // The review's `seed 5 · 1h 00m simulated · 1 events`.
    let text = bundled_text("hung-app-tcp-probe.yaml");
    let header = text.lines().nth(2).expect("the header's third line");
    assert_eq!(header, "seed 5 · 1h 00m simulated · 1 event");
}

/// The lines of the section whose heading starts with `heading`, up to the
/// blank line that ends it.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    (text.lines())
        .skip_while(|l| !l.starts_with(heading))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_control_plane_outages_past_twenty_say_how_many_more_and_keep_in_line() {
    // The review: a year on a managed control plane has 26 outages; the
    // text listed 20 and said nothing of the others, and the rows from
    // day 100 on stood a column to the right.
    let text = bundled_text("managed-control-plane.yaml");
    let rows = section(&text, "Control plane:");
    assert_eq!(rows.len(), 21, "{}", rows.join("\n"));
    assert_eq!(
        rows[20],
        "  … 6 more control-plane outages; `--format json` lists them all"
    );
    let arrows: Vec<usize> = (rows[..20].iter())
        .map(|l| l.find('→').expect("an interval"))
        .collect();
    assert!(rows[19].starts_with("  279d"), "{}", rows[19]);
    assert!(
        arrows.iter().all(|&a| a == arrows[0]),
        "{}",
        rows.join("\n")
    );
    let widths: Vec<usize> = (rows[..20].iter())
        .map(|l| l.find("managed").expect("a cause"))
        .collect();
    assert!(
        widths.iter().all(|&w| w == widths[0]),
        "{}",
        rows.join("\n")
    );
}

#[test]
fn incidents_before_and_after_the_hundredth_day_keep_in_line() {
    let s = scenario(
        "name: long
duration: 200d
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 1 } ]
traffic: [ { workload: web, rate: 1 } ]
faults:
  - { at: 50d, nodeCrash: { node: w-1, recoverAfter: 10m } }
  - { at: 150d, nodeCrash: { node: w-1, recoverAfter: 10m } }
",
    );
    let text = crate::support::run(&s, 1).text("");
    let rows = section(&text, "Incidents");
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows[1].contains(" 150d 00:00:00 → 150d"), "{}", rows[1]);
    let arrow = |l: &str| l.find('→').expect("an interval");
    assert_eq!(arrow(rows[0]), arrow(rows[1]), "{}", rows.join("\n"));
}

#[test]
fn the_pods_that_restarted_most_come_first() {
    // The review: a year on a managed control plane listed its pods'
    // restarts as 5, 9, 1, 1, 1, 12, … then `… 6 more pods`, the pod with
    // 16 among those not shown.
    let s = crate::support::bundled("managed-control-plane.yaml");
    let out = crate::support::run(&s, s.seed.expect("its seed"));
    let text = out.text(&s.description);
    let rows = section(&text, "Restarts by pod");
    let shown: Vec<(&str, u32)> = (rows.iter())
        .filter(|l| !l.contains('…'))
        .map(|l| {
            let mut cells = l.split_whitespace();
            let pod = cells.next().expect("a pod");
            (
                pod,
                cells
                    .next()
                    .expect("its restarts")
                    .parse()
                    .expect("a count"),
            )
        })
        .collect();
    let mut all: Vec<(&str, u32)> = (out.report.workloads.iter())
        .flat_map(|(_, w)| w.pod_restarts.iter())
        .map(|p| (p.pod.as_str(), p.restarts))
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    assert_eq!(shown, all[..10], "{}", rows.join("\n"));
    assert_eq!(shown[0].1, 16);
}

#[test]
fn the_monitoring_headers_say_the_shares_are_averages() {
    // The review: under `(max / avg / at the end)` the shares of the CPU
    // request and limit held one number each, an average the header did
    // not name.
    let text = bundled_text("diurnal-capacity.yaml");
    let rows = section(&text, "Monitoring (max / avg / at the end)");
    let header: Vec<&str> = rows[0].split("  ").map(str::trim).collect();
    assert!(
        header.contains(&"avg of request") && header.contains(&"avg of limit"),
        "{}",
        rows.join("\n")
    );
    let web: Vec<&str> = rows[1].split_whitespace().collect();
    assert_eq!(web[6..8], ["69%", "34%"], "{}", rows[1]);
}

#[test]
fn not_started_does_not_call_a_pod_with_a_failing_readiness_probe_ready() {
    // The review: master-down's pod has a readiness probe and is not
    // Ready while it restarts; kube-proxy routes to it only because its
    // rules froze with the API. The cause said `routed to a Ready pod`.
    let text = bundled_text("master-down.yaml");
    let line = (section(&text, "Failed requests by cause").into_iter())
        .find(|l| l.trim_start().starts_with("not_started"))
        .expect("master-down fails requests as not_started");
    assert!(!line.contains("Ready pod"), "{line}");
    assert!(
        line.ends_with(
            "routed to an endpoint in kube-proxy's rules whose app had not finished \
             starting (no readiness probe, or rules frozen by an API outage)"
        ),
        "{line}"
    );
}

/// `runs` seeds of a bundled scenario from its own, summarised.
fn seeds(file: &str, runs: usize) -> nines::report::AggregateReport {
    let s = crate::support::bundled(file);
    let seed = s.seed.expect("its seed");
    let options = nines::RunOptions::new(seed);
    let outputs = nines::experiment::run_seeds(&s, seed, runs, 2, &options, &|_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let reports: Vec<_> = outputs.into_iter().map(|o| o.report).collect();
    nines::report::AggregateReport::new(seed, &reports)
}

/// The cells of the row of `table` whose label is `label`.
fn row<'a>(text: &'a str, label: &str) -> Vec<&'a str> {
    let line = (text.lines())
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("a `{label}` row in\n{text}"));
    line[line.find(label).expect("the label") + label.len()..]
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn seeds_mark_the_nines_that_are_lower_bounds() {
    // The review: `--seeds 5` of broken-release printed `nines (time) 3.08
    // [3.08, 3.08]` where every run's figure was a rule-of-three bound.
    let aggregate = seeds("broken-release.yaml", 5);
    let text = aggregate.to_text();
    assert_eq!(
        row(&text, "nines per run (time)"),
        ["≥ 3.08", "[3.08, 3.08]", "≥ 3.08", "≥ 3.08", "≥ 3.08"],
        "{text}"
    );
    assert!(
        text.contains("(≥: nothing failed in 5 of the 5 runs: such a run's figure is the rule-of-three bound at 95 %"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&aggregate.to_json()).expect("JSON");
    let nines = &json["nines"];
    assert_eq!(nines["time_is_lower_bound"], true);
    assert_eq!(nines["time_lower_bound_runs"], 5);
    assert_eq!(nines["requests_is_lower_bound"], true);
    // The keys that were there stay.
    assert!(nines["time"]["mean"].is_f64() && nines["requests"]["ci95"].is_array());
}

#[test]
fn seeds_say_the_nines_row_is_the_mean_of_each_runs_nines() {
    // The review: 99.9980 % then `nines (requests) 4.76`, the mean of the
    // runs' nines, where 99.9980 % is 4.70 nines.
    let aggregate = seeds("node-failures-30d.yaml", 8);
    let text = aggregate.to_text();
    let mean_of_nines = aggregate.nines.requests.mean;
    let availability = aggregate.availability.requests.mean;
    let of_mean = -(1.0 - availability).log10();
    assert!(mean_of_nines - of_mean > 0.01, "{text}");
    assert_eq!(
        row(&text, "nines per run (requests)")[0],
        format!("{mean_of_nines:.2}"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "the mean request availability, {:.5}%, is {of_mean:.2} nines",
            availability * 100.0
        )),
        "{text}"
    );
    // Requests failed in every run: no bound there; the time had none.
    assert!(!aggregate.nines.requests_is_lower_bound);
    assert!(
        text.contains("(≥: there was no downtime in 8 of the 8 runs"),
        "{text}"
    );
}

#[test]
fn seeds_write_counts_with_their_thousands_and_slo_rows_in_line_with_their_signs() {
    // The review: `failed requests 13726.92`; SLO rows out of line, and a
    // count's target as `target 500.00` with no sign.
    let text = seeds("node-failures-30d.yaml", 8).to_text();
    let failed = row(&text, "failed requests");
    assert!(failed.iter().all(|c| c.contains(',')), "{text}");
    let slo = section(&text, "SLO met in");
    assert_eq!(slo.len(), 4, "{text}");
    let width = slo[0].chars().count();
    assert!(slo.iter().all(|l| l.chars().count() == width), "{text}");
    assert!(slo[1].contains("  ≥ 99.9000%  "), "{}", slo[1]);
    assert!(slo[3].contains("  ≤ 500  "), "{}", slo[3]);
}

#[test]
fn a_sweep_writes_its_counts_with_their_thousands() {
    // The review: `sweep` printed `failed 113876.2`.
    let path = crate::support::bundled_scenarios()
        .into_iter()
        .find(|p| p.ends_with("node-loss.yaml"))
        .expect("node-loss is bundled");
    let out = crate::support::nines_bin()
        .arg("sweep")
        .arg(&path)
        .args(["--vary", "workloads.web.replicas=1", "--seeds", "2"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let failed = stdout
        .split("failed ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a failed figure");
    assert!(
        failed.contains(',') && failed.ends_with(|c: char| c.is_ascii_digit()),
        "{stdout}"
    );
    assert!(stdout.contains("nines per run "), "{stdout}");
}

#[test]
fn the_timeline_combines_a_burst_of_similar_events_as_kubectl_shows_them() {
    // A cold start of 30 replicas: the ReplicaSet creates 30 pods at once.
    // client-go's EventCorrelator writes nine `SuccessfulCreate` events,
    // then one `(combined from similar events)` event that counts the
    // other 21; the pods' own `Scheduled` events are one per object.
    let s = scenario(
        "name: burst
duration: 5m
coldStart: true
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"8\", memory: 32Gi } } ]
workloads: [ { name: web, replicas: 30, app: { startup: 5s } } ]
",
    );
    let out = run_traced(&s, 1);
    let created = out
        .trace
        .iter()
        .filter(|e| e.reason == "SuccessfulCreate")
        .count();
    assert_eq!(created, 30, "the trace keeps every event");
    let text = nines::report::render_text(&out.report, "", &out.trace, 0);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" SuccessfulCreate "))
        .collect();
    assert_eq!(lines.len(), 10, "{lines:#?}");
    assert!(lines[..9].iter().all(|l| !l.contains("combined")));
    assert!(
        lines[9].contains("(combined from similar events): Created pod: web-")
            && lines[9].ends_with("(21 events, the last at 00:00:00.000)"),
        "{}",
        lines[9]
    );
    let scheduled = text.lines().filter(|l| l.contains(" Scheduled ")).count();
    assert!(scheduled >= 20, "{scheduled} Scheduled lines");
}

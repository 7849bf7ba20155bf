//! Semantic checks of the scenario, through the library: each problem is
//! reported with its field path and, where it has one, its line.

fn diagnostics(yaml: &str) -> Vec<nines::scenario::Diagnostic> {
    match nines::scenario::parse(yaml, "t.yaml") {
        Ok(_) => panic!("accepted:\n{yaml}"),
        Err(e) => e.diagnostics().to_vec(),
    }
}

const BASE: &str = "name: t
duration: 1h
cluster:
  nodePools: [ { name: w, count: 3, zones: [a, b], allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads:
  - name: web
    replicas: 2
    readinessProbe: { httpGet: { port: 8080 } }
";

fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

fn assert_one(yaml: &str, path: &str, words: &str) {
    let d = diagnostics(yaml);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path, path, "{d:?}");
    assert!(d[0].message.contains(words), "{:?}", d[0].message);
    assert!(d[0].line.is_some(), "no line: {d:?}");
}

#[test]
fn a_stochastic_node_crash_takes_no_count() {
    assert_one(
        &with("faults: [ { nodeCrash: { pool: w, mtbf: 30d, recoverAfter: 5m, count: 2 } } ]\n"),
        "faults[0].nodeCrash.count",
        "every node fails on its own",
    );
}

#[test]
fn a_zone_listed_twice_is_an_error() {
    assert_one(
        &BASE.replace("[a, b]", "[a, b, a]"),
        "cluster.nodePools[0].zones[2]",
        "listed twice",
    );
}

#[test]
fn node_names_must_fit_kubernetes_63_characters() {
    let long = "p".repeat(62);
    assert_one(
        &BASE.replace("name: w,", &format!("name: {long},")),
        "cluster.nodePools[0].name",
        "63",
    );
}

#[test]
fn a_fault_after_the_end_of_the_run_is_an_error() {
    assert_one(
        &with("faults: [ { at: 2h, nodeCrash: { node: w-1 } } ]\n"),
        "faults[0].at",
        "after the end of the run",
    );
}

#[test]
fn two_faults_may_not_share_a_stream_name() {
    assert_one(
        &with(
            "faults:\n  - { name: x, at: 1m, nodeCrash: { node: w-1 } }\n  - { name: x, at: 2m, nodeCrash: { node: w-2 } }\n",
        ),
        "faults[1].name",
        "used twice",
    );
}

#[test]
fn a_port_out_of_range_says_so() {
    assert_one(
        &BASE.replace("port: 8080", "port: 70000"),
        "workloads[0].readinessProbe.httpGet.port",
        "`70000`",
    );
    assert_one(
        &BASE.replace("port: 8080", "port: Not_A_Name"),
        "workloads[0].readinessProbe.httpGet.port",
        "port name",
    );
}

#[test]
fn a_named_port_is_accepted() {
    nines::scenario::parse(&BASE.replace("port: 8080", "port: http"), "t.yaml").expect("valid");
}

#[test]
fn a_workload_scaled_to_zero_is_down_with_zero_nines() {
    let s = nines::scenario::parse(
        &format!(
            "{}traffic: [ {{ workload: web, rate: 10 }} ]\n",
            BASE.replace("replicas: 2", "replicas: 0")
        ),
        "t.yaml",
    )
    .expect("Kubernetes allows zero replicas");
    let out = crate::support::run(&s, 1);
    assert_eq!(out.report.availability.requests, 0.0);
    assert!(out.report.nines.requests.is_sign_positive() && out.report.nines.requests == 0.0);
}

#[test]
fn a_deployment_only_takes_restart_policy_always() {
    nines::scenario::parse(
        &BASE.replace("replicas: 2", "replicas: 2\n    restartPolicy: Always"),
        "t.yaml",
    )
    .expect("Always is the Deployment's policy");
    assert_one(
        &BASE.replace("replicas: 2", "replicas: 2\n    restartPolicy: Never"),
        "workloads[0].restartPolicy",
        "restartPolicy: Always",
    );
}

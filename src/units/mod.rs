//! Units a scenario is written in: durations, Kubernetes quantities,
//! percentages, request rates and duration distributions.

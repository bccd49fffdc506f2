/// `[metrics]`: the Prometheus endpoint (`MetricsConfig`).
extension ConfigLoader {
    static func decodeMetrics(_ table: ConfigTable) -> MetricsConfig? {
        table.rejectUnknownKeys(sectionKeys["metrics"]!)
        guard let text = table.string("listen") else { return nil }
        guard let metrics = MetricsConfig.parse(text) else {
            table.diagnostics.report(.invalidValue(
                table.location("listen"), value: text,
                expected: "an IP address and a port, such as \"127.0.0.1:9664\" or \"[::1]:9664\" (no host names)"))
            return nil
        }
        return metrics
    }
}

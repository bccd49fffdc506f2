import ArgumentParser

/// `--wait` of `move`, `standby`, `enable` and `disable`.
struct WaitOption: ParsableArguments {
    @Flag(name: .long, help: ArgumentHelp(
        "Return only when the service got there (units active, health check passing) or did not.",
        discussion: """
            Prints each step on the way. Exit 0 when it got there, 1 when it failed (the failover timeline tells where), 5 when --timeout ran out first (default: the service's stop_timeout + start_timeout + 1min, else 15min).
            """))
    var wait = false
}

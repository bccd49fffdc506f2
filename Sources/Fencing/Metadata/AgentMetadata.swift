import FoundationEssentials

/// What a fence agent says about itself in its `action=metadata` XML
/// (schema `/usr/share/cluster/relaxng/metadata.rng`).
public struct AgentMetadata: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        public enum ContentType: String, Sendable, Equatable {
            case boolean, string, second, integer, select
        }

        public var name: String
        public var required: Bool
        /// `deprecated="1"`: an old spelling kept for compatibility (e.g. `ipaddr`, `port`).
        public var deprecated: Bool
        /// `obsoletes="ipaddr"`: this parameter is the new name of that one.
        public var obsoletes: String?
        public var type: ContentType
        public var defaultValue: String?

        public init(name: String, required: Bool = false, deprecated: Bool = false, obsoletes: String? = nil,
                    type: ContentType = .string, defaultValue: String? = nil) {
            self.name = name
            self.required = required
            self.deprecated = deprecated
            self.obsoletes = obsoletes
            self.type = type
            self.defaultValue = defaultValue
        }
    }

    public struct Action: Sendable, Equatable {
        public var name: String
        /// `automatic="1"` on `on`: the agent needs unfencing.
        public var automatic: Bool
        /// `on_target="1"`: runs on the target node itself (fence_scsi unfencing).
        public var onTarget: Bool

        public init(name: String, automatic: Bool = false, onTarget: Bool = false) {
            self.name = name
            self.automatic = automatic
            self.onTarget = onTarget
        }
    }

    public var agent: String
    public var shortDescription: String
    public var parameters: [Parameter]
    public var actions: [Action]

    public init(agent: String, shortDescription: String = "", parameters: [Parameter], actions: [Action]) {
        self.agent = agent
        self.shortDescription = shortDescription
        self.parameters = parameters
        self.actions = actions
    }

    public func supports(_ action: FenceAction) -> Bool {
        actions.contains { $0.name == action.rawValue }
    }

    /// The parameter declared under `name`, with `-` and `_` interchangeable (as fencing.py does).
    public func parameter(named name: String) -> Parameter? {
        let key = Self.normalized(name)
        return parameters.first { Self.normalized($0.name) == key }
    }

    /// Names that set the same option as `name`: itself, the name it obsoletes, the names obsoleting it.
    public func aliases(of name: String) -> Set<String> {
        let key = Self.normalized(name)
        var names: Set<String> = [key]
        for parameter in parameters {
            let own = Self.normalized(parameter.name)
            guard let old = parameter.obsoletes.map(Self.normalized) else { continue }
            if own == key { names.insert(old) }
            if old == key { names.insert(own) }
        }
        return names
    }

    /// Which stdin key carries the target, Pacemaker's rule (fenced_commands.c):
    /// `port` if the agent lists it, else `plug` if it lists that, else `port`.
    public var hostArgument: String {
        if parameter(named: "port") != nil { return "port" }
        if parameter(named: "plug") != nil { return "plug" }
        return "port"
    }

    /// Whether the agent takes a target at all (fence_kdump, fence_heuristics_ping take none).
    public var acceptsHost: Bool {
        parameter(named: "port") != nil || parameter(named: "plug") != nil
    }

    static func normalized(_ name: String) -> String {
        name.replacing("-", with: "_")
    }
}

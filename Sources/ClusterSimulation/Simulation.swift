// Placeholder: the deterministic simulation lives here.
import ClusterCore

// Placeholder: the fence agent runner lives here.
import ClusterCore

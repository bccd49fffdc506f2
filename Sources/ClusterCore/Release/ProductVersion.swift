/// The release of haclusterd this build is: printed by `haclusterd --version` and
/// `hactl --version`, carried to the peers (`NodeInfo`) and shown per node by `hactl status`,
/// so that a rolling upgrade shows which node runs what.
public enum ProductVersion {
    public static let current = "0.9.0"
}

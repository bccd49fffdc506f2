/// The journal's `MESSAGE_ID` of the main event kinds: `journalctl -x` explains an entry that
/// carries one with its entry in `etc/haclusterd.catalog` (installed in
/// /usr/lib/systemd/catalog), and `journalctl MESSAGE_ID=...` finds every occurrence. The IDs
/// are a contract like the kinds' names: never change one; a new kind gets a new ID
/// (`systemd-id128 new`) and a catalog entry.
extension EventKind {
    public var messageID: String? { Self.messageIDs[self] }

    static let messageIDs: [EventKind: String] = [
        .electionWon: "c2f6270e3883459e958518ea75a71c21",
        .leaseLost: "1c31b3e58a0d4b8389f961a2d4e6f681",
        .leaderSteppedDown: "d548f071a4724a57b957d8bc26422fd1",
        .adminChange: "7551a5db57dd4cbd960cb4a6e6b0613a",
        .membershipChange: "4609e3f73bba4b83bdbce9a536426eb3",
        .serviceTakeover: "5d909a79957548ae94a1a3db469dd42a",
        .serviceStarted: "bb28b116fef44e8b8d96bee1475458a0",
        .serviceTakeoverFailed: "a98f055ee69d4a148b65ec9892d8c76d",
        .serviceRelease: "35f8b14e05a84bc38fc63cdf08a7302b",
        .serviceStopped: "349c425a9b5c4d218f503598c17966f6",
        .serviceFailed: "01f34d9001a749de9bd3f11de7002f06",
        .serviceRestart: "eb7471af071146f387b4c32de2c1241e",
        .fenceStarted: "505b80f909e54d44adf7f4a675458a6b",
        .fenceSucceeded: "e3fe88fd70be4a418bd4aeea8c27cee7",
        .fenceFailed: "6be9b5fa8d7e41e1a4506e44c2e2a7a2",
        .fenceDeviceFailing: "ec30e3516d0a458abacd05375ff8abd6",
        .fenceDeviceRecovered: "ed8d2e421b994884ae5a0a5904c6080c",
        .takeoverBlocked: "624a2ca217a345c9b691abf731a60204",
        .takeoverFailed: "f3db97b57968468dab90c21c5fe722e2",
        .ipRestored: "7bf302b8fd124de88c52bfb04a73fd3f",
        .lockRetaken: "3623acd84cc74d8faa49aecd8bbf449b",
        .releaseSelfFence: "3c69f91260d04a958d6b7a58841ab37b",
        .linkDown: "375ef421fd004cc1b8e4dac1bf53d21e",
        .linkUp: "dac1c6d76c504dfc9031a6617e79a3d5",
        .arbiterPeerSilent: "e7d662d443064e8c92f6c2a0a74717cb",
        .arbiterStorageLost: "8cce999f0dfc4e819cc02b18b89b36ed",
        .arbiterPoisonRead: "b79a4b5ef8d64d2c85e9ec707c3cbd11",
        .persistFailed: "3d6618711ad04626a89fcc8547795e6e",
        .wireFlood: "061bf59ccebf43e2a4c2ea5082db7b3c",
        .reloadDone: "4450e77bc2674d70a2fc7c775576204f",
        .reloadRefused: "a687bf4ee61d4d92ae3af523762b3ace",
        .auditWarning: "e801339b916c44049f8485b36c584328",
        .fenceOperatorConfirmed: "f78936abdc784bf38550a46bea0f7b60",
        .quorumUnblocked: "0ef97f60a67d47ea8a98b0882c1fef47",
    ]
}

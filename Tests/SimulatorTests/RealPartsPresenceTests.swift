import EbbTestSupport
import Testing

/// Locally a test whose real part is missing is skipped (it says how to install it); CI must
/// never skip one, so in CI every part is required here, by name.
struct RealPartsPresenceTests {
    @Test(.enabled(if: RealParts.inCI, "only CI must have every real part"))
    func everyRealPartIsInstalledInCI() async {
        var missing: [RealParts.Part] = []
        for part in RealParts.Part.allCases where await !part.isPresent { missing.append(part) }
        #expect(missing.isEmpty, "missing in CI: \(missing.map(\.rawValue)); Scripts/install-test-tools.sh installs them")
    }
}

import Operator
import Testing

struct BindAddressTests {
    @Test(arguments: [(":8080", "0.0.0.0", 8080), ("127.0.0.1:9090", "127.0.0.1", 9090), ("[::1]:8080", "::1", 8080), ("localhost:0", "localhost", 0)]
    )
    func parses(_ text: String, _ host: String, _ port: Int) throws {
        let address = try BindAddress(text)
        #expect(address.host == host && address.port == port)
    }

    @Test(arguments: ["8080", "host:", ":http", ":70000", ":-1"])
    func rejectsWithAFix(_ text: String) {
        #expect(throws: BindAddress.ParseError.self) { try BindAddress(text) }
    }
}

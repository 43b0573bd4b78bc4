import Foundation
import KafkaAdmin
import NIOSSL
import Testing

/// Broker addresses and the TLS server name sent for them.
struct AddressTests {
    @Test(arguments: [
        ("kafka-0.kafka:9092", "kafka-0.kafka", 9092), ("[fd00::1]:9093", "fd00::1", 9093),
        ("fd00::1:9093", "fd00::1", 9093), ("127.0.0.1:1", "127.0.0.1", 1), ("k:65535", "k", 65535)
    ])
    func addressesSplit(_ address: String, _ host: String, _ port: Int) throws {
        let parts = try #require(KafkaAdminClient.split(address))
        #expect(parts.0 == host)
        #expect(parts.1 == port)
    }

    /// 127.0.0.1:99999 was split into port 99999, which the socket layer truncated to another port.
    @Test(arguments: ["127.0.0.1:99999", "k:0", "k:65536", "k:-1", "k:+80", "fd00::1", "::1", ":9092", "k:", "k", "[fd00::1]"])
    func addressesThatAreNotHostAndPortAreRefused(_ address: String) {
        #expect(KafkaAdminClient.split(address) == nil, "\(address)")
    }

    /// NIOSSL refuses an IP address as a server name; fd00::1 (hex letters) was sent as one.
    @Test(arguments: ["fd00::1", "[fd00::1]", "fe80::1%eth0", "::ffff:127.0.0.1", "2001:db8::a:b:c", "10.0.0.1", "::1"])
    func noServerNameForIPLiterals(_ host: String) throws {
        #expect(ClientTLS.sniName(host: host, explicit: nil) == nil)
        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
        _ = try NIOSSLClientHandler(context: context, serverHostname: ClientTLS.sniName(host: host, explicit: nil))
        // What was sent before (NIOSSL takes a zone as part of a name, so only without one).
        if !host.contains("%") {
            #expect(throws: (any Error).self) {
                try NIOSSLClientHandler(context: context, serverHostname: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
            }
        }
    }

    @Test func hostNamesAndExplicitNamesAreSent() {
        #expect(ClientTLS.sniName(host: "kafka-0.kafka", explicit: nil) == "kafka-0.kafka")
        #expect(ClientTLS.sniName(host: "fd00::1", explicit: "kafka.example") == "kafka.example")
        #expect(ClientTLS.sniName(host: "beef", explicit: nil) == "beef")
    }
}

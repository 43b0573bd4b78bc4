import KubernetesClient
import Operator
import Testing

struct ResourceKindTests {
    @Test func paths() {
        #expect(ResourceKind.brokerPool.path(namespace: "shop") == "/apis/ebb.io/v1alpha1/namespaces/shop/brokerpools")
        #expect(ResourceKind.brokerPool.path() == "/apis/ebb.io/v1alpha1/brokerpools")
        #expect(
            ResourceKind.brokerPool.path(namespace: "shop", name: "events", subresource: "status")
                == "/apis/ebb.io/v1alpha1/namespaces/shop/brokerpools/events/status")
        #expect(ResourceKind.pod.path(namespace: "shop", name: "broker-0") == "/api/v1/namespaces/shop/pods/broker-0")
        #expect(
            ResourceKind.statefulSet.path(namespace: "shop", name: "broker", subresource: "scale")
                == "/apis/apps/v1/namespaces/shop/statefulsets/broker/scale")
    }

    @Test func oddNamesAreEscapedNotTrusted() {
        #expect(ResourceKind.pod.path(namespace: "a/b", name: "x y") == "/api/v1/namespaces/a%2Fb/pods/x%20y")
    }

    @Test func errorsCarryTheAPIStatus() {
        let body = Array(#"{"kind":"Status","status":"Failure","message":"the object has been modified","reason":"Conflict","code":409}"#.utf8)
        let error = APIError(step: "update brokerpool shop/events status", httpStatus: 409, body: body)
        #expect(error.isConflict && error.isRetriable)
        #expect(error.description == "update brokerpool shop/events status: 409 Conflict: the object has been modified")
        let opaque = APIError(step: "list pods", httpStatus: 502, body: Array("<html>bad gateway</html>".utf8))
        // Not a Status (a proxy's page): its first bytes are kept, so the cause is visible.
        #expect(opaque.description == "list pods: 502 HTTP502: <html>bad gateway</html>")
        #expect(opaque.isRetriable && !opaque.isGone)
    }
}

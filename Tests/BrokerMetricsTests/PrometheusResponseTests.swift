import BrokerMetrics
import Testing

struct PrometheusResponseTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func vectorWithOneSeries() throws {
        let body = bytes(
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"automq"},"value":[1795798800.5,"125829120"]}]}}"#)
        let sample = try PrometheusResponse.single(from: body, query: "q")
        #expect(sample.value == 125_829_120)
        #expect(sample.labels == ["job": "automq"])
        #expect(sample.timestamp.timeIntervalSince1970 == 1_795_798_800.5)
    }

    @Test func scalar() throws {
        let body = bytes(#"{"status":"success","data":{"resultType":"scalar","result":[1795798800,"0.5"]}}"#)
        #expect(try PrometheusResponse.single(from: body, query: "q").value == 0.5)
    }

    @Test func specialValues() throws {
        let body = bytes(
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]},{"metric":{},"value":[1,"+Inf"]}]}}"#)
        let samples = try PrometheusResponse.samples(from: body)
        #expect(samples[0].value.isNaN && samples[1].value == .infinity)
    }

    @Test func errorsSayWhatToDo() {
        #expect(throws: PrometheusError.noData(query: "up{job=\"x\"}")) {
            try PrometheusResponse.single(
                from: self.bytes(#"{"status":"success","data":{"resultType":"vector","result":[]}}"#), query: "up{job=\"x\"}")
        }
        #expect(throws: PrometheusError.queryFailed(errorType: "bad_data", message: "parse error")) {
            try PrometheusResponse.samples(from: self.bytes(#"{"status":"error","errorType":"bad_data","error":"parse error"}"#))
        }
        let two = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]},{"metric":{},"value":[1,"2"]}]}}"#
        #expect(throws: PrometheusError.tooManySeries(query: "q", count: 2)) { try PrometheusResponse.single(from: self.bytes(two), query: "q") }
        #expect(throws: PrometheusError.self) { try PrometheusResponse.samples(from: self.bytes("<html>")) }
        #expect(throws: PrometheusError.self) {
            try PrometheusResponse.samples(
                from: self.bytes(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}"#))
        }
    }

    /// A result that is not in its type's shape is refused by what is wrong in it, not by the
    /// shape another type would have had.
    @Test func aMalformedResultSaysWhatIsWrong() {
        let series = bytes(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"automq"},"value":"oops"}]}}"#)
        #expect {
            try PrometheusResponse.samples(from: series)
        } throws: { error in
            "\(error)".contains("value")
        }
        let matrix = bytes(#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
        #expect {
            try PrometheusResponse.samples(from: matrix)
        } throws: { error in
            "\(error)".contains("resultType 'matrix'")
        }
    }
}

/// What real producers hold for leaders that do not accept, the one rule the campaign and the
/// served world share: a record waits at most the delivery timeout (`delivery.timeout.ms`), so a
/// partition holds at most that many seconds of its traffic, and all of them together hold at
/// most the producers' buffers (`buffer.memory`); the rest is refused, as a real producer expires
/// old batches and fails sends once its buffer is full, and is never sent later. Over the buffers,
/// every partition gives up the same share of what it holds.
package enum ProducerBuffers {
    /// Trims `pending` (bytes per partition) in place and returns the bytes refused.
    /// `rates`: each partition's produce rate now, in bytes per second.
    package static func refuse(_ pending: inout [Double], rates: [Double], deliveryTimeoutSeconds: Double, bufferBytes: Double) -> Double {
        var refused = 0.0
        var held = 0.0
        for index in pending.indices {
            let limit = rates[index] * deliveryTimeoutSeconds
            if limit > 0, pending[index] > limit {
                refused += pending[index] - limit
                pending[index] = limit
            }
            held += pending[index]
        }
        if held > bufferBytes {
            let keep = bufferBytes / held
            for index in pending.indices { pending[index] *= keep }
            refused += held - bufferBytes
        }
        return refused
    }
}

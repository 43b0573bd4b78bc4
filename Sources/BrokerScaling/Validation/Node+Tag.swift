import Yams

extension Node {
    /// The resolved tag (str, int, float, bool, null, map, seq).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }

    var isScalarNode: Bool {
        if case .scalar = self { return true }
        return false
    }

    var isSequenceNode: Bool {
        if case .sequence = self { return true }
        return false
    }
}

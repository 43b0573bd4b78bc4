/// A failure a user can fix that is not a mistake in the command line: a file that cannot be
/// read, a cluster that cannot be reached. ArgumentParser prints it as one line,
/// `Error: <description>`, without the usage text, and exits with status 1 (usage mistakes stay
/// `ValidationError`s: the usage, and status 2).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

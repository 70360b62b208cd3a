import Anatomy
import ArgumentParser
import Classifier
import Foundation

/// `bodypart --version`: the program's version and the model and rules it would use, so that an
/// operator (and a bug report) names all three. Read from the installed files, not compiled in:
/// a site that retrains its model sees the new id without a rebuild.
enum BodypartVersion {
    /// The program's version (CHANGELOG.md names what each one changed).
    static let number = "0.2.0"

    /// `bodypart 0.2.0, model bp-meta-…, rules /usr/local/share/bodypart/Rules`; what cannot be
    /// found is said in words instead of failing.
    static func describe() -> String {
        var line = "bodypart \(number)"
        do {
            let rules = try RulesDirectory.locate()
            do {
                let model = try BodyPartModel.standard(rulesDirectory: rules.path)
                line += ", model \(model.modelID)"
            } catch {
                line += ", model not readable (\(error))"
            }
            line += ", rules \(rules.path)"
        } catch {
            line += ", rules not found (set BODYPART_RULES or reinstall)"
        }
        return line
    }
}

extension Bodypart {
    /// ArgumentParser's entry point, with `--version` answered from the installed files first.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            print(BodypartVersion.describe())
            return
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Placeholder; replaced by the forest trainer.
public struct ForestTrainer: Sendable {
    /// Creates default settings.
    public init() {}
    func train(_ examples: [TrainingExample], classes: [String], hashing: FeatureHashing,
               progress: (String) -> Void) -> RandomForest { RandomForest() }
}

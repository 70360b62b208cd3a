import ArgumentParser
import Classifier

/// Training settings shared by `train` and `evaluate --idc`.
struct TrainingTuning: ParsableArguments {
    @Option(help: "Drop training series whose label conflicts with the rule class of their own descriptions (true/false).")
    var cleanLabels = true

    @Option(help: "With --clean-labels: also drop series whose rule class merely contains or is contained in the label (true/false).")
    var cleanStrict = false

    @Option(help: "Also drop such series from the calibration collections (true/false).")
    var cleanCalibration = false

    @Option(help: "Most training series per collection and class (0: no cap beyond the data reader's).")
    var capPerCollectionClass = 0

    @Option(help: "Weight of the linear model in the ensemble (0...1).")
    var linearShare = 0.5

    @Option(help: "Trees in the forest.")
    var trees = 30

    @Option(help: "Fit temperature and thresholds on out-of-fold predictions over this many folds of collections, then train on all (0: hold out 15 % of the collections instead; costs this many extra trainings).")
    var calibrationFolds = 5

    @Option(help: "Learn class-shared rule evidence weights in the linear model: how each field's rule match relates to a candidate class, one weight for all classes (true/false).")
    var sharedEvidence = false

    @Option(help: "Learning rate of the shared evidence weights, relative to the linear model's.")
    var sharedRate: Float = 0.1

    @Option(help: "Distant supervision: also train the linear model on unlabelled IDC series whose own descriptions name the region unambiguously, once more without the study description when only it names the region (true/false).")
    var distantSupervision = false

    @Option(help: "Answer by a containing class when the most probable one is not sure enough, with a threshold fitted out of fold (true/false).")
    var coarser = true

    @Option(help: "Use the stored BodyPartExamined as evidence when nothing in the header contradicts it, with a floor fitted out of fold (true/false).")
    var storedTerm = true

    @Option(help: "Fit a threshold per trunk class (CHEST, ABDOMEN, ... on CT, MR, PET) lowered from the main threshold where its out-of-fold answers stay right often enough (true/false).")
    var trunkThresholds = true

    @Option(help: "Where the trunk thresholds apply: settled (a description names the region, nothing names a wider or other one, no PET/CT, no stored term naming another region) or named (any description names a region, model format 6).")
    var trunkScope: TrunkScope = .settled

    @Option(help: "Fit a lower threshold of its own for answers outside the trunk (HEAD, spine levels, joints), where sites and readers agree on the region (true/false).")
    var partAnswers = true

    @Option(help: "Lowest out-of-fold accuracy (smoothed) of the answers outside the trunk at their threshold.")
    var partMinAccuracy = 0.97

    @Option(help: "Wrong-answer budget of the main and part answers together, as a share of held-out series.")
    var partWrongRate = 0.02

    @Option(help: "Answer from the reading of the header text (series description, then protocol, then study) in the patterns whose out-of-fold answers were right often enough (true/false).")
    var readingAnswers = true

    @Option(help: "Wrong-answer budget of the model and reading answers together, as a share of held-out series (hidden and as stored).")
    var readingWrongRate = 0.02

    @Option(help: "Lowest out-of-fold accuracy (smoothed) of a reading pattern that answers.")
    var readingMinAccuracy = 0.97

    @Option(help: "Fit the reading patterns only on held-out kinds whose own header supports their label (text = yes) and UNKNOWN ones (true/false).")
    var readingTextYes = false

    @Option(help: "Fit temperature and thresholds on the trusted held-out series only: labels not contradicted by their own descriptions, outside collection×label sets most of whose series contradict it (true/false).")
    var trustedCalibration = true

    @Option(help: "Also fit the agreement threshold: answers agreeing with an unambiguous rule match of the descriptions are accepted from it (true/false).")
    var agreement = true

    @Option(help: "Which held-out labels fit the main threshold: trusted, or all (noisy IDC labels); the agreement threshold is always fitted on the trusted ones.")
    var mainThresholdLabels = "all"

    func validate() throws {
        if !["all", "trusted"].contains(mainThresholdLabels) { throw ValidationError("--main-threshold-labels must be 'all' or 'trusted'") }
    }

    func apply(to builder: inout ModelBuilder) {
        builder.dropRuleConflicts = cleanLabels
        builder.cleanCalibration = cleanCalibration
        builder.dropRuleDisagreements = cleanStrict
        builder.capPerGroupClass = capPerCollectionClass
        builder.linearShare = linearShare
        builder.forestTrainer.trees = trees
        builder.calibrationFolds = calibrationFolds
        builder.linearTrainer.sharedEvidence = sharedEvidence
        builder.linearTrainer.sharedRate = sharedRate
        builder.distantSupervision = distantSupervision
        builder.trustedCalibration = trustedCalibration
        builder.agreementPoint = agreement
        builder.mainThresholdOnTrusted = mainThresholdLabels != "all"
        builder.storedTermEvidence = storedTerm
        builder.coarserAnswers = coarser
        builder.trunkClassThresholds = trunkThresholds
        builder.trunkScope = trunkScope
        builder.partAnswers = partAnswers
        builder.partMinAccuracy = partMinAccuracy
        builder.partMaxWrongRate = partWrongRate
        builder.readingAnswers = readingAnswers
        builder.readingMaxWrongRate = readingWrongRate
        builder.readingMinAccuracy = readingMinAccuracy
        builder.readingFitOnTextYes = readingTextYes
    }
}

extension TrunkScope: ExpressibleByArgument {}

// swift-tools-version: 6.1
import PackageDescription

/// DCMTK libraries the shim links. Headers and libraries are on the default
/// paths of Debian's libdcmtk-dev; `pkg-config dcmtk` is broken there, so we
/// name the libraries instead of using a system-library target.
let dcmtkLibraries = ["dcmtls", "dcmnet", "dcmjpeg", "dcmjpls", "dcmimgle", "dcmdata", "oflog", "ofstd"].map { LinkerSetting.linkedLibrary($0) }

/// GDCM decodes what DCMTK has no codec for (JPEG 2000) in the pixel check.
/// Debian's libgdcm-dev; its headers are included as <gdcm-3.0/...>.
let gdcmLibraries = ["gdcmMSFF", "gdcmDSED", "gdcmCommon"].map { LinkerSetting.linkedLibrary($0) }

let package = Package(
    name: "bodypart",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bodypart", targets: ["bodypart"]),
        .library(name: "DicomIO", targets: ["DicomIO"]),
        .library(name: "Classifier", targets: ["Classifier"]),
        .library(name: "DicomNet", targets: ["DicomNet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already in the graph through Hummingbird; named so the console can stop its server gracefully.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "CDcmtk",
            cxxSettings: [.define("HAVE_CONFIG_H")],
            linkerSettings: dcmtkLibraries + gdcmLibraries + [.linkedLibrary("z")]
        ),
        .target(name: "DicomCore"),
        .target(name: "DicomIO", dependencies: ["CDcmtk", "DicomCore"]),
        .target(name: "Anatomy", dependencies: ["DicomCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "Classifier", dependencies: ["DicomCore", "Anatomy"]),
        .target(name: "PixelCheck", dependencies: ["DicomCore", "DicomIO", "Anatomy"]),
        // System zlib (Debian zlib1g-dev) for the PNG previews' deflate stream and CRC-32.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Preview", dependencies: ["DicomCore", "DicomIO", "PixelCheck", "CZlib"]),
        .target(name: "Audit", dependencies: ["DicomCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "Cleanup",
            dependencies: ["DicomCore", "DicomIO", "Anatomy", "Classifier", "Audit", "PixelCheck",
                           .product(name: "Yams", package: "Yams")]
        ),
        // The DICOM network (storage SCP/SCU, C-ECHO, C-FIND, C-MOVE, TLS) over the shim's dcmnet side.
        .target(name: "DicomNet", dependencies: ["CDcmtk", "DicomCore", "DicomIO"]),
        .target(
            name: "Proxy",
            dependencies: ["DicomNet", "DicomCore", "DicomIO", "Anatomy", "Classifier", "Cleanup", "Audit",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "bodypart",
            dependencies: [
                "DicomCore", "DicomIO", "DicomNet", "Anatomy", "Classifier", "Audit", "Cleanup", "Proxy", "PixelCheck", "Preview",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "bodypart-bench",
            dependencies: ["DicomCore", "DicomIO", "PixelCheck", "Audit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/Sources/bodypart-bench"
        ),
        .target(name: "BodypartTesting", dependencies: ["DicomCore", "DicomIO"], path: "Sources/BodypartTesting"),
        .testTarget(name: "DicomCoreTests", dependencies: ["DicomCore"]),
        .testTarget(name: "DicomIOTests", dependencies: ["DicomIO", "DicomCore", "BodypartTesting"]),
        .testTarget(name: "AnatomyTests", dependencies: ["Anatomy"]),
        .testTarget(name: "ClassifierTests", dependencies: ["Classifier", "Anatomy"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "BodypartTesting"]),
        .testTarget(name: "CleanupTests", dependencies: ["Cleanup", "Audit", "DicomIO", "BodypartTesting"]),
        .testTarget(name: "CLITests", dependencies: ["DicomCore", "BodypartTesting", "Audit"], exclude: ["Golden"]),
        .testTarget(name: "DicomNetTests", dependencies: ["DicomNet", "DicomIO", "DicomCore", "BodypartTesting"]),
        .testTarget(name: "ProxyTests", dependencies: ["Proxy", "DicomNet", "Cleanup", "Audit", "DicomIO", "DicomCore", "Anatomy", "Classifier", "BodypartTesting",
                                                  .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "PreviewTests", dependencies: ["Preview", "PixelCheck", "DicomIO", "DicomCore", "BodypartTesting"]),
        .testTarget(name: "PixelCheckTests", dependencies: ["PixelCheck", "DicomIO", "DicomCore", "BodypartTesting"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)

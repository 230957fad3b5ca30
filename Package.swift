// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cobrador",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cobrador", targets: ["cobrador"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "cobrador",
            dependencies: [
                "CobradorCore",
                "CobradorLedger",
                "CobradorMail",
                "CobradorDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "cobrador-bench-smtp",
            dependencies: ["CobradorCore", "CobradorMail"]
        ),
        .target(
            name: "CobradorCore",
            dependencies: ["CCrypto", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "CobradorLedger",
            dependencies: ["CobradorCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        .target(
            name: "CobradorMail",
            dependencies: ["CobradorCore", "CCurlShim", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(
            name: "CobradorDaemon",
            dependencies: ["CobradorCore", "CobradorLedger", "CobradorMail", .product(name: "Logging", package: "swift-log")]
        ),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .target(
            name: "CobradorTestSupport",
            dependencies: ["CobradorCore", "CobradorLedger"]
        ),
        .testTarget(name: "CobradorCoreTests", dependencies: ["CobradorCore", "CobradorTestSupport"]),
        .testTarget(
            name: "CobradorPlannerTests",
            dependencies: ["CobradorCore", "CobradorTestSupport", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "CobradorLedgerTests", dependencies: ["CobradorLedger", "CobradorTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CobradorMailTests", dependencies: ["CobradorMail", "CobradorTestSupport"]),
        .testTarget(name: "CobradorEndToEndTests", dependencies: ["CobradorTestSupport"]),
        .testTarget(name: "CobradorDaemonTests", dependencies: ["CobradorDaemon", .product(name: "Logging", package: "swift-log")]),
    ]
)

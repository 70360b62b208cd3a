/// A point or direction in patient coordinates (mm, LPS).
public struct Vector3: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var z: Double

    public init(_ x: Double, _ y: Double, _ z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    public func dot(_ o: Vector3) -> Double { x * o.x + y * o.y + z * o.z }

    public func cross(_ o: Vector3) -> Vector3 {
        Vector3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }

    public var length: Double { dot(self).squareRoot() }

    /// This vector scaled to length 1 (unchanged when zero).
    public var normalized: Vector3 {
        let l = length
        return l > 0 ? Vector3(x / l, y / l, z / l) : self
    }

    public static prefix func - (v: Vector3) -> Vector3 { Vector3(-v.x, -v.y, -v.z) }
}

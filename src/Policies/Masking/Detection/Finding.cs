namespace McpGateway.Policies.Masking.Detection;

/// <summary>A stretch of text that a detector recognised: where it starts, how long it is, and which detector.</summary>
internal readonly record struct Finding(int Start, int Length, MaskDetector Detector, bool Joined = false)
{
    public int End => Start + Length;
}

/// <summary>A set of detectors as bits, to test membership without a lookup.</summary>
internal readonly record struct DetectorSet(int Bits)
{
    public static DetectorSet Empty => default;

    public bool IsEmpty => Bits == 0;

    public bool Has(MaskDetector detector) => (Bits & (1 << (int)detector)) != 0;

    public bool HasAny(DetectorSet other) => (Bits & other.Bits) != 0;

    public DetectorSet With(MaskDetector detector) => new(Bits | (1 << (int)detector));

    public static DetectorSet Of(params ReadOnlySpan<MaskDetector> detectors)
    {
        var set = Empty;
        foreach (var detector in detectors)
        {
            set = set.With(detector);
        }

        return set;
    }
}

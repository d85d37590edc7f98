using System.Collections.Generic;

namespace Kora.Protocol.Generator;

/// <summary>An inclusive version range; "none" is empty, "3+" is open-ended.</summary>
internal readonly struct VersionRange
{
    public VersionRange(int low, int high)
    {
        Low = low;
        High = high;
    }

    public int Low { get; }
    public int High { get; }
    public bool IsEmpty => Low > High;

    public static VersionRange Parse(string text)
    {
        if (text == "none")
        {
            return new VersionRange(1, 0);
        }
        if (text.EndsWith("+"))
        {
            return new VersionRange(int.Parse(text.Substring(0, text.Length - 1)), short.MaxValue);
        }
        var dash = text.IndexOf('-');
        if (dash > 0)
        {
            return new VersionRange(int.Parse(text.Substring(0, dash)), int.Parse(text.Substring(dash + 1)));
        }
        var single = int.Parse(text);
        return new VersionRange(single, single);
    }

    public VersionRange Intersect(VersionRange other) =>
        new VersionRange(System.Math.Max(Low, other.Low), System.Math.Min(High, other.High));

    public bool Covers(VersionRange other) => other.IsEmpty || (Low <= other.Low && High >= other.High);

    /// <summary>A C# condition on <c>version</c> that holds inside this range, given the message's valid range.</summary>
    public string Condition(VersionRange valid)
    {
        if (IsEmpty)
        {
            return "false";
        }
        var low = Low <= valid.Low ? null : "version >= " + Low;
        var high = High >= valid.High ? null : "version <= " + High;
        if (low == null && high == null)
        {
            return "true";
        }
        if (low != null && high != null)
        {
            return "(" + low + " && " + high + ")";
        }
        return low ?? high!;
    }
}

internal sealed class FieldSpec
{
    public string Name = "";
    public string Type = "";
    public VersionRange Versions;
    public VersionRange Nullable = new VersionRange(1, 0);
    public int? Tag;
    public VersionRange TaggedVersions = new VersionRange(1, 0);
    public string? Default;
    public string? Entity;
    public bool Ignorable;
    public List<FieldSpec> Fields = new List<FieldSpec>();

    public bool IsArray => Type.StartsWith("[]");
    public string ElementType => IsArray ? Type.Substring(2) : Type;
    public bool IsStructLike => !SchemaParser.IsPrimitive(ElementType);
}

internal sealed class StructSpec
{
    public string Name = "";
    public string ClassName = "";
    public List<FieldSpec> Fields = new List<FieldSpec>();
}

internal sealed class MessageSpec
{
    public string Name = "";
    public string Kind = "";
    public int? ApiKey;
    public VersionRange Valid;
    public VersionRange Flexible;
    public List<FieldSpec> Fields = new List<FieldSpec>();
    public List<StructSpec> CommonStructs = new List<StructSpec>();
    public bool IsMetadataRecord => Kind == "metadata";
}

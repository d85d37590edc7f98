using System;
using System.Collections.Generic;

namespace Kora.Protocol.Generator;

/// <summary>Parses Kora's compact schema format (see tools/import-kafka-schema.py for the grammar).</summary>
internal static class SchemaParser
{
    private static readonly HashSet<string> Primitives = new HashSet<string>
    {
        "bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "string", "bytes", "records", "uuid",
    };

    public static bool IsPrimitive(string type) => Primitives.Contains(type);

    public static MessageSpec Parse(string text)
    {
        var lines = text.Replace("\r", "").Split('\n');
        MessageSpec? message = null;
        var stack = new List<List<FieldSpec>>();
        foreach (var raw in lines)
        {
            if (raw.Trim().Length == 0 || raw.TrimStart().StartsWith("#"))
            {
                continue;
            }
            var indent = raw.Length - raw.TrimStart(' ').Length;
            var tokens = raw.Trim().Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            if (indent == 0 && message == null)
            {
                message = new MessageSpec { Name = tokens[0], Kind = tokens[1] };
                foreach (var t in tokens)
                {
                    if (t.StartsWith("api="))
                    {
                        message.ApiKey = int.Parse(t.Substring(4));
                    }
                    else if (t.StartsWith("v="))
                    {
                        message.Valid = VersionRange.Parse(t.Substring(2));
                    }
                    else if (t.StartsWith("flex="))
                    {
                        message.Flexible = VersionRange.Parse(t.Substring(5));
                    }
                }
                stack.Clear();
                stack.Add(message.Fields);
                continue;
            }
            if (message == null)
            {
                throw new FormatException("Schema must start with a message line.");
            }
            if (indent == 0 && tokens[0] == "struct")
            {
                var common = new StructSpec { Name = tokens[1] };
                message.CommonStructs.Add(common);
                stack.Clear();
                stack.Add(common.Fields);
                continue;
            }
            var depth = indent / 2;
            if (depth < 1 || depth > stack.Count)
            {
                throw new FormatException("Bad indentation: " + raw);
            }
            var field = ParseField(tokens);
            stack[depth - 1].Add(field);
            if (stack.Count > depth)
            {
                stack.RemoveRange(depth, stack.Count - depth);
            }
            stack.Add(field.Fields);
        }
        return message ?? throw new FormatException("Empty schema.");
    }

    private static FieldSpec ParseField(string[] tokens)
    {
        var field = new FieldSpec { Name = tokens[0], Type = tokens[1] };
        for (var i = 2; i < tokens.Length; i++)
        {
            var t = tokens[i];
            if (t.StartsWith("v="))
            {
                field.Versions = VersionRange.Parse(t.Substring(2));
            }
            else if (t.StartsWith("n="))
            {
                field.Nullable = VersionRange.Parse(t.Substring(2));
            }
            else if (t.StartsWith("tag="))
            {
                field.Tag = int.Parse(t.Substring(4));
            }
            else if (t.StartsWith("tv="))
            {
                field.TaggedVersions = VersionRange.Parse(t.Substring(3));
            }
            else if (t.StartsWith("d="))
            {
                field.Default = t.Substring(2);
            }
            else if (t.StartsWith("e="))
            {
                field.Entity = t.Substring(2);
            }
            else if (t == "ign")
            {
                field.Ignorable = true;
            }
        }
        return field;
    }
}

using System.Globalization;

namespace Kora.AppHost.Hosting.Expressions;

/// <summary>
/// A string made of literal text and deferred values (endpoints, data folders), as Aspire's
/// <c>ReferenceExpression</c>: written with string interpolation, resolved when a process starts, and
/// rendered as placeholders when the graph is published.
/// </summary>
public sealed class ReferenceExpression : IValueProvider
{
    // A composite format string ({0}, {1}, ... for the values; literal braces doubled).
    private readonly string _format;

    internal ReferenceExpression(string format, IReadOnlyList<IValueProvider> values)
    {
        _format = format;
        ValueProviders = values;
    }

    /// <summary>The deferred values this expression is made of, in order.</summary>
    public IReadOnlyList<IValueProvider> ValueProviders { get; }

    public static ReferenceExpression Create(ReferenceExpressionHandler handler) => handler.Build();

    public static ReferenceExpression Literal(string value) => new(Escape(value), []);

    /// <summary>The parts separated by <paramref name="separator"/>, like <see cref="string.Join(string, IEnumerable{string})"/>.</summary>
    public static ReferenceExpression Join(string separator, IEnumerable<ReferenceExpression> parts)
    {
        var format = new System.Text.StringBuilder();
        var values = new List<IValueProvider>();
        foreach (var part in parts)
        {
            if (format.Length > 0)
            {
                format.Append(Escape(separator));
            }
            format.Append(part.Renumbered(values.Count));
            values.AddRange(part.ValueProviders);
        }
        return new ReferenceExpression(format.ToString(), values);
    }

    public string GetValue() => Render(v => v.GetValue());

    public string ValueExpression => Render(v => v.ValueExpression);

    public override string ToString() => ValueExpression;

    internal static string Escape(string literal) => literal.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);

    /// <summary>The expression with each deferred value rendered by <paramref name="value"/>, for other deployment formats.</summary>
    internal string Render(Func<IValueProvider, string> value) =>
        ValueProviders.Count == 0
            ? string.Format(CultureInfo.InvariantCulture, _format)
            : string.Format(CultureInfo.InvariantCulture, _format, [.. ValueProviders.Select(value)]);

    // The same format with its placeholders shifted by `offset`, so that two expressions can be concatenated.
    private string Renumbered(int offset)
    {
        if (offset == 0 || ValueProviders.Count == 0)
        {
            return _format;
        }
        var result = new System.Text.StringBuilder(_format.Length + 8);
        for (var i = 0; i < _format.Length; i++)
        {
            var c = _format[i];
            if ((c == '{' || c == '}') && i + 1 < _format.Length && _format[i + 1] == c)
            {
                result.Append(c).Append(c);
                i++;
            }
            else if (c == '{')
            {
                var close = _format.IndexOf('}', i);
                var index = int.Parse(_format.AsSpan(i + 1, close - i - 1), CultureInfo.InvariantCulture);
                result.Append('{').Append((index + offset).ToString(CultureInfo.InvariantCulture)).Append('}');
                i = close;
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }
}

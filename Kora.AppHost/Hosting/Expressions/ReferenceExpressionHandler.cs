using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Kora.AppHost.Hosting.Expressions;

/// <summary>
/// Lets <c>ReferenceExpression.Create($"{host}:{endpoint.Property(EndpointProperty.Port)}")</c> keep
/// the deferred values deferred instead of formatting them at once.
/// </summary>
[InterpolatedStringHandler]
public readonly struct ReferenceExpressionHandler
{
    private readonly StringBuilder _format;
    private readonly List<IValueProvider> _values;

    public ReferenceExpressionHandler(int literalLength, int formattedCount)
    {
        _format = new StringBuilder(literalLength + (formattedCount * 4));
        _values = new List<IValueProvider>(formattedCount);
    }

    public void AppendLiteral(string value) => _format.Append(ReferenceExpression.Escape(value));

    public void AppendFormatted(string? value) => AppendLiteral(value ?? "");

    public void AppendFormatted<T>(T value)
    {
        if (value is IValueProvider provider)
        {
            _format.Append('{').Append(_values.Count.ToString(CultureInfo.InvariantCulture)).Append('}');
            _values.Add(provider);
        }
        else
        {
            AppendLiteral(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        }
    }

    internal ReferenceExpression Build() => new(_format.ToString(), [.. _values]);
}

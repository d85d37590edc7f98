using System.Text;

namespace Kora.Bench.Report;

/// <summary>A Markdown table padded to aligned columns, so that it also reads well in a terminal.</summary>
/// <param name="leftColumns">How many leading columns are text (left-aligned); the rest are numbers (right-aligned).</param>
internal sealed class MarkdownTable(int leftColumns, params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public MarkdownTable Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        }
        _rows.Add([.. cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))]);
        return this;
    }

    public string Render()
    {
        var widths = headers.Select((h, i) => Math.Max(3, _rows.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        text.Append('|');
        for (var i = 0; i < widths.Length; i++)
        {
            text.Append(i < leftColumns ? $" {new string('-', widths[i])} |" : $" {new string('-', widths[i] - 1)}: |");
        }
        text.AppendLine();
        foreach (var row in _rows)
        {
            Line(text, row, widths);
        }
        return text.ToString();
    }

    private void Line(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(' ').Append(i < leftColumns ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i])).Append(" |");
        }
        text.AppendLine();
    }
}

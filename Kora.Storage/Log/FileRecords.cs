using Kora.Protocol.Primitives;

namespace Kora.Storage.Log;

/// <summary>
/// Fetched batches as regions of segment files. The network layer copies them straight into the response
/// buffer with positioned reads; no record is materialised. The regions hold the segments' open handles,
/// which outlive a concurrent deletion of the files (see <see cref="DeferredHandleCloser"/>).
/// </summary>
internal sealed class FileRecords : IRecordsSource
{
    private readonly FileRegion[] _regions;

    public FileRecords(FileRegion[] regions)
    {
        _regions = regions;
        long length = 0;
        foreach (var region in regions)
        {
            length += region.Length;
        }
        Length = checked((int)length);
    }

    public static FileRecords Empty { get; } = new([]);

    public int Length { get; }

    internal IReadOnlyList<FileRegion> Regions => _regions;

    public void CopyTo(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + destination.Length, Length);
        long regionStart = 0;
        foreach (var region in _regions)
        {
            if (destination.IsEmpty)
            {
                return;
            }
            var regionEnd = regionStart + region.Length;
            if (offset < regionEnd)
            {
                var within = offset - regionStart;
                var count = (int)Math.Min(destination.Length, region.Length - within);
                if (LogFiles.ReadFully(region.Handle, destination[..count], region.Position + within) != count)
                {
                    throw new IOException("The log was truncated while fetched records were being read.");
                }
                destination = destination[count..];
                offset += count;
            }
            regionStart = regionEnd;
        }
    }
}

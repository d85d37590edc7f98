namespace Kora.Protocol.Primitives;

/// <summary>Record bytes that live outside the message, such as a region of a log segment file.</summary>
public interface IRecordsSource
{
    int Length { get; }

    /// <summary>Copies bytes starting at <paramref name="offset"/> within the source into <paramref name="destination"/>, filling it.</summary>
    void CopyTo(long offset, Span<byte> destination);
}

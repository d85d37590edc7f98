using Kora.Metadata;

namespace Kora.Controller.Quorum;

public sealed partial class QuorumController
{
    /// <summary>
    /// Kafka's <c>metadata.log.max.record.bytes.between.snapshots</c>: once that many record bytes were
    /// committed since the last snapshot, the committed image is written as a snapshot at the end of the
    /// last applied batch, and the log below it can go.
    /// </summary>
    private void MaybeSnapshot()
    {
        if (_bytesSinceSnapshot < _options.MetadataLogMaxRecordBytesBetweenSnapshots || _lastCommittedBatch is not { } id || id == _lastSnapshot)
        {
            return;
        }
        var content = MetadataSnapshot.Write(_committed, id.Epoch, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        try
        {
            _log.CreateSnapshot(id, content);
        }
        catch (ArgumentException e)
        {
            Log.SnapshotFailed(_logger, _nodeId, id.ToString(), e.Message);
            _bytesSinceSnapshot = 0;
            return;
        }
        _lastSnapshot = id;
        _bytesSinceSnapshot = 0;
        Log.SnapshotWritten(_logger, _nodeId, id.ToString(), content.Length);
    }
}

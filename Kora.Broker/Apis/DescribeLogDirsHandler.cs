using Kora.Broker.Partitions;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// DescribeLogDirs v1-4 (flexible from v2). The broker has one log dir, its data directory (absolute
/// path). Null topics means every hosted partition the client can see; otherwise the listed ones, and
/// partitions the broker does not host are left out, as in Kafka. Each partition reports its size on
/// disk, an offset lag of 0 (a single replica is its own high watermark) and IsFutureKey false. v3+
/// has a top-level error code; v4+ the volume's total and usable bytes.
/// </summary>
public sealed class DescribeLogDirsHandler(PartitionManager partitions, IResourceNames names) : ApiHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>
{
    public override short ApiKey => DescribeLogDirsRequest.ApiKey;
    public override short MinVersion => 1;
    public override short MaxVersion => 4;
    protected override short FirstFlexibleVersion => DescribeLogDirsRequest.LowestFlexibleVersion;

    protected override ValueTask<DescribeLogDirsResponse?> HandleAsync(RequestContext context, DescribeLogDirsRequest request)
    {
        var selected = new List<(string Name, Partition Partition)>();
        if (request.Topics is null)
        {
            foreach (var partition in partitions.All)
            {
                if (names.ToExternal(context.Connection, ResourceKind.Topic, partition.Topic) is { } visible)
                {
                    selected.Add((visible, partition));
                }
            }
        }
        else
        {
            foreach (var topic in request.Topics)
            {
                var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Topic);
                foreach (var index in topic.Partitions.Distinct())
                {
                    if (partitions.Get(name, index) is { } partition)
                    {
                        selected.Add((topic.Topic, partition));
                    }
                }
            }
        }
        var dir = new DescribeLogDirsResponse.DescribeLogDirsResult { ErrorCode = 0, LogDir = partitions.DataDir };
        foreach (var group in selected.GroupBy(s => s.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var topic = new DescribeLogDirsResponse.DescribeLogDirsTopic { Name = group.Key };
            foreach (var (_, partition) in group.DistinctBy(s => s.Partition.Index).OrderBy(s => s.Partition.Index))
            {
                topic.Partitions.Add(new DescribeLogDirsResponse.DescribeLogDirsPartition
                {
                    PartitionIndex = partition.Index,
                    PartitionSize = partition.Log.Size,
                    OffsetLag = 0,
                    IsFutureKey = false,
                });
            }
            dir.Topics.Add(topic);
        }
        if (context.Version >= 4)
        {
            (dir.TotalBytes, dir.UsableBytes) = VolumeSpace(partitions.DataDir);
        }
        return ValueTask.FromResult<DescribeLogDirsResponse?>(new DescribeLogDirsResponse { ErrorCode = 0, Results = [dir] });
    }

    protected override void SetError(DescribeLogDirsResponse response, ErrorCode error) => response.ErrorCode = (short)error;

    internal static (long Total, long Usable) VolumeSpace(string path)
    {
        try
        {
            var drive = new DriveInfo(path);
            return (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (-1, -1);
        }
    }
}

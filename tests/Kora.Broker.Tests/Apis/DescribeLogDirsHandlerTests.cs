using Kora.Broker.Apis;

namespace Kora.Broker.Tests.Apis;

public class DescribeLogDirsHandlerTests
{
    [Fact]
    public void VolumeSpace_OfADirectory_IsTheVolumeItIsOn()
    {
        var directory = Directory.CreateTempSubdirectory("kora-logdirs-");
        try
        {
            var (total, usable) = DescribeLogDirsHandler.VolumeSpace(directory.FullName);
            Assert.True(total > 0);
            Assert.InRange(usable, 0, total);
        }
        finally
        {
            directory.Delete();
        }
    }
}

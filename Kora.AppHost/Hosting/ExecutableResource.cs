namespace Kora.AppHost.Hosting;

/// <summary>Any program on this machine, started with the given arguments in the given folder.</summary>
public sealed class ExecutableResource(string name, string command, string? workingDirectory) : Resource(name)
{
    public string Command { get; } = command;

    public string? WorkingDirectory { get; } = workingDirectory;

    internal override LaunchCommand GetLaunchCommand() => new(Command, [], WorkingDirectory);
}

namespace Kora.AppHost.Hosting;

/// <summary>How to start a resource's process: the program, its leading arguments and where to run it.</summary>
internal sealed record LaunchCommand(string FileName, IReadOnlyList<string> Arguments, string? WorkingDirectory);

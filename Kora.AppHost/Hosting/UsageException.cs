namespace Kora.AppHost.Hosting;

/// <summary>The command line asks for something the host cannot do; the message says what to write instead.</summary>
public sealed class UsageException(string message) : Exception(message);

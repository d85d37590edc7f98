using Kora.AppHost.Hosting;

// The local Kora fleet. Each resource is a process with its own data folder; the host starts them in
// dependency order, waits until each is healthy, restarts any that crash, and stops all on Ctrl+C.
var builder = DistributedApplication.CreateBuilder(args);
var dataDir = Path.GetFullPath(builder.Configuration["data-dir"] ?? ".data");
var kafkaPort = builder.Configuration["port"] ?? "9092";

builder.AddProject("broker-1", "Kora.Broker")
    .WithEnvironment("Kora__Broker__NodeId", "1")
    .WithEnvironment("Kora__Broker__Listener", $"127.0.0.1:{kafkaPort}")
    .WithEnvironment("Kora__Broker__HttpListener", "127.0.0.1:0")
    .WithEnvironment("Kora__Broker__DataDir", Path.Combine(dataDir, "broker-1"))
    .WithEndpoint($"127.0.0.1:{kafkaPort}")
    .WithHttpHealthCheck("/health");

builder.Build().Run();

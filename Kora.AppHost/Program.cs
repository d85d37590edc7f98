using Kora.AppHost.Fleet;
using Kora.AppHost.Hosting;

// The local Kora fleet: a quorum of controllers and the brokers that join it. Each resource is a
// process with its own ports and data folder; the host
// starts them in dependency order, waits until each is healthy, restarts any that crash, and stops
// them all on Ctrl+C. `publish --target aws|azure|gcp --output DIR` writes the same graph out instead.
try
{
    var builder = DistributedApplication.CreateBuilder(args);
    var fleet = FleetOptions.From(builder.Configuration);

    // Topics get three replicas and min.insync.replicas=2 (fewer with fewer brokers), so losing a broker loses nothing.
    // The metadata quorum first: its ports are chosen up front, so every voter and broker knows them before anything starts.
    var controllers = fleet.ControllerIds.Select(id => (id, builder.AddController(id).WithControllerReplicationDefaults(fleet))).ToList();
    controllers.WithQuorum();

    var brokers = fleet.BrokerIds
        .Select(id => builder.AddBroker(id, cell: fleet.CellOf(id), kafkaPort: fleet.KafkaPortOf(id)).WithControllers(controllers).WithBrokerReplicationDefaults(fleet))
        .ToList();

    builder.OnReady(output => output.WriteLine($"Kora is ready. Bootstrap servers: {brokers.BootstrapServers()}"));

    await using var app = builder.Build();
    return await app.RunAsync();
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

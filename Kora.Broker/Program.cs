using System.Net;
using Kora.Broker;
using Kora.Broker.Cluster;
using Kora.Broker.Hosting;
using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Broker.Telemetry;
using Kora.Metadata;
using Kora.Network;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.Services.AddKoraBroker(builder.Configuration);

var options = builder.Configuration.GetSection(BrokerOptions.SectionName).Get<BrokerOptions>() ?? new BrokerOptions();
ListenOptions? httpListener = null;
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPEndPoint.Parse(options.HttpListener), listen => httpListener = listen));
builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(10));

var app = builder.Build();
app.MapDefaultEndpoints();
var startupLogger = app.Services.GetRequiredService<ILogger<BrokerOptions>>();
if (OpenFileLimit.RaiseToHard() is var (soft, hard))
{
    startupLogger.LogInformation("Open file limit {Soft} (hard limit {Hard})", soft, hard);
}

var metadata = app.Services.GetRequiredService<MetadataStore>();
var partitions = app.Services.GetRequiredService<PartitionManager>();
var metrics = app.Services.GetRequiredService<BrokerMetrics>();
metrics.ObserveGauge("kora.broker.partitions", "{partition}", "Partitions hosted by this broker.", () => partitions.PartitionCount);
metrics.ObserveGauge("kora.broker.log.segments", "{segment}", "Log segments across hosted partitions.", () => partitions.SegmentCount);
metadata.Subscribe(partitions);
var observer = options.IsClusterMode ? app.Services.GetRequiredService<MetadataObserver>() : null;
// Created before the first image so it hears of every partition to follow.
var fetchers = options.IsClusterMode ? app.Services.GetRequiredService<Kora.Broker.Replication.ReplicaFetcherManager>() : null;
if (observer is not null)
{
    // Cluster mode: the image comes from the controller quorum; serve nothing before it has caught up.
    // Orphans are removed on the thread that applies images, so no newer image creates folders meanwhile.
    observer.Start(partitions.RemoveOrphans);
    await observer.CaughtUp.WaitAsync(app.Lifetime.ApplicationStopping);
}
else
{
    metadata.Load();
    partitions.RemoveOrphans(metadata.Image);
}

await app.StartAsync();

// Bound now so the port can be registered; clients wait in the backlog until the broker is ready to serve them.
var kafka = app.Services.GetRequiredService<KafkaListener>();
kafka.Bind(IPEndPoint.Parse(options.Listener));
var kafkaEndPoint = kafka.EndPoint!;
var httpEndPoint = httpListener!.IPEndPoint!;
var advertised = options.AdvertisedListener is { } configured ? IPEndPoint.Parse(configured) : kafkaEndPoint;
if (observer is not null)
{
    var lifecycle = app.Services.GetRequiredService<BrokerLifecycle>();
    lifecycle.Start(advertised.Address.ToString(), advertised.Port);
    await lifecycle.Unfenced.WaitAsync(app.Lifetime.ApplicationStopping);
}
else
{
    await app.Services.GetRequiredService<TopicAdmin>().RegisterBrokerAsync(
        options.NodeId, advertised.Address.ToString(), advertised.Port, options.Rack, app.Lifetime.ApplicationStopping);
}

kafka.StartAccepting();
Console.WriteLine($"KORA_BROKER_READY kafka={kafkaEndPoint} http={httpEndPoint}");
startupLogger.LogInformation(
    "Kora broker {NodeId} serving Kafka on {Kafka}, health on http://{Http}/health, data in {DataDir}",
    options.NodeId, kafkaEndPoint, httpEndPoint, Path.GetFullPath(options.DataDir));

await app.WaitForShutdownAsync();
if (fetchers is not null)
{
    await fetchers.DisposeAsync();
}
if (observer is not null)
{
    await observer.DisposeAsync();
}
await app.DisposeAsync();

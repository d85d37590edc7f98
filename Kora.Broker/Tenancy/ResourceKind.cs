namespace Kora.Broker.Tenancy;

/// <summary>The kinds of named resource that tenants name-space.</summary>
public enum ResourceKind
{
    Topic,
    Group,
    TransactionalId,
}

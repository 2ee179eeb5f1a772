using System.ComponentModel.DataAnnotations;

namespace Cistrat.Learning.Web.Infrastructure.Jobs;

/// <summary>Settings under "Jobs".</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Whether this node processes jobs. Several nodes may, against one storage; a web-only node may not.</summary>
    public bool RunServer { get; set; } = true;

    [Range(1, 64)]
    public int Workers { get; set; } = 4;

    /// <summary>How often an idle worker asks the storage for work (the SQLite storage's default, 15 s, is far too slow for mail).</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After this, a job whose worker died is handed to another; longer than any job runs.</summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether the recurring sweeps are registered at start-up (one node is enough; more do no harm).</summary>
    public bool Schedule { get; set; } = true;
}

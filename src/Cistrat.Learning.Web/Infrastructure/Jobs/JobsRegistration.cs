using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Infrastructure.Jobs;
using Cistrat.Learning.Web.Infrastructure.Security;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.SqlServer;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class JobsRegistration
{
    /// <summary>Path of the Hangfire dashboard: admins manage jobs there, coordinators look.</summary>
    public const string DashboardPath = "/jobs";

    /// <summary>
    /// Hangfire on the same provider as the application database (a SQLite file of its own in the data folder, or
    /// SQL Server's "hangfire" schema), the mail outbox with its transport, and the reminder sweeps.
    /// </summary>
    public static WebApplicationBuilder AddLearningJobs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReminderOptions>().BindConfiguration(ReminderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var jobs = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString(StorageRegistration.ConnectionStringName);

        // The storage is this host's own singleton, not Hangfire's process-wide JobStorage.Current: two hosts in one
        // process (the test suite) must not take each other's jobs. AddHangfire only adds what is missing.
        services.AddSingleton<JobStorage>(sp => database.Provider == DatabaseProvider.SqlServer
            ? new SqlServerStorage(() => new Microsoft.Data.SqlClient.SqlConnection(connectionString), new SqlServerStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = jobs.QueuePollInterval,
                SlidingInvisibilityTimeout = jobs.InvisibilityTimeout,
            })
            : new SQLiteStorage(sp.GetRequiredService<DataFolder>().PathOf("jobs.db"), new SQLiteStorageOptions
            {
                QueuePollInterval = jobs.QueuePollInterval,
                InvisibilityTimeout = jobs.InvisibilityTimeout,
            }));
        // Hangfire's own default activator is the process-wide JobActivator.Current, set by whichever host configured
        // Hangfire last: a second host in the process would have this host's server build jobs from its services.
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        if (jobs.RunServer)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = jobs.Workers;
                o.Queues = [JobQueues.Mail, JobQueues.Default];
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
        }

        var mail = builder.Configuration.GetSection(MailOptions.Section).Get<MailOptions>() ?? new MailOptions();
        if (string.IsNullOrWhiteSpace(mail.Host))
            services.AddSingleton<IMailTransport, PickupFolderTransport>();
        else
            services.AddSingleton<IMailTransport, SmtpMailTransport>();
        services.AddSingleton<UnsubscribeTokens>();
        services.AddSingleton<MailComposer>();
        services.AddScoped<MailDispatcher>();
        services.AddScoped<MailDispatchJob>();
        services.AddScoped<ReminderPlanner>();
        services.AddScoped<ReminderSweepJob>();
        services.AddScoped<AnnouncementService>();
        services.AddSingleton<MailKick>();
        services.AddScoped<IEmailSender<ApplicationUser>, AccountMailSender>();
        services.AddScoped<Cistrat.Learning.Web.Features.Account.AccountLinks>();
        return builder;
    }

    /// <summary>The dashboard at /jobs (admins; coordinators read-only) and the recurring sweeps.</summary>
    public static WebApplication MapLearningJobs(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            // The default filter lets in any request from the local machine; the endpoint's policy decides instead.
            Authorization = [new RoleFilter()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(Roles.Admin),
            DashboardTitle = "Cistrat.Learning jobs",
            AppPath = "/",
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(Policies.Coordinator);

        if (app.Services.GetRequiredService<IOptions<JobsOptions>>().Value.Schedule)
        {
            var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
            recurring.AddOrUpdate<MailDispatchJob>("mail-dispatch", j => j.RunAsync(CancellationToken.None), Cron.Minutely());
            recurring.AddOrUpdate<ReminderSweepJob>("session-reminders", j => j.SessionsAsync(CancellationToken.None), Cron.Minutely());
            recurring.AddOrUpdate<ReminderSweepJob>("inactivity-nudges", j => j.NudgesAsync(CancellationToken.None), "*/15 * * * *");
            recurring.AddOrUpdate<ReminderSweepJob>("deadline-reminders", j => j.DeadlinesAsync(CancellationToken.None), "*/15 * * * *");
            recurring.AddOrUpdate<ReminderSweepJob>("weekly-digests", j => j.DigestsAsync(CancellationToken.None), "*/15 * * * *");
            recurring.AddOrUpdate<Cistrat.Learning.Web.Features.Certificates.CertificateSweepJob>("certificates", j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        }

        return app;
    }

    /// <summary>Admins and coordinators only, whatever the request's origin (the endpoint's policy asks first).</summary>
    private sealed class RoleFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Coordinator);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace LambdaIdentity.Core.Aws.Live;

/// <summary>How a call through an <see cref="EndpointGovernor"/> ended, as far as the rate is concerned.</summary>
internal enum GovernedOutcome
{
    /// <summary>The service answered (2xx, or an error that is not throttling or 5xx): the call used the rate and was served.</summary>
    Served,
    /// <summary>The service throttled the call (429 TooManyRequestsException, 400 Throttling, ...).</summary>
    Throttled,
    /// <summary>5xx, network failure, timeout or cancellation: says nothing about the rate.</summary>
    Neutral,
}

/// <summary>
/// Adaptive admission of calls to one endpoint (one service in one region of one account, the scope of AWS's API rate
/// quotas). Two controls: a concurrency limit, which starts at 4 and grows by one per served call while calls wait for a
/// slot (latency-bound: more in flight means more calls a second) up to the ceiling; and a request rate, unlimited until
/// the first throttle, then set to 90% of the served rate of the last second (what the service let through) and raised by
/// 10% a second while it is the
/// binding constraint (additive increase, multiplicative decrease, as AWS SDKs' adaptive retry mode does). A throttle of a
/// call sent before the last cut does not cut again: those calls were already in flight at the old rate.
/// </summary>
internal sealed class EndpointGovernor
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private const double Cut = 0.9, RaisePerServed = 0.1, MinRate = 0.5;
    private readonly object _lock = new();
    private readonly int _ceiling;
    private readonly LinkedList<TaskCompletionSource<bool>> _waiting = new();
    private readonly Queue<double> _served = new();
    private double _limit;
    private int _inFlight;
    private double _rate = double.PositiveInfinity;
    private double _next, _lastCut = double.NegativeInfinity, _first = double.NaN;

    /// <summary>Creates the governor; <paramref name="ceiling"/> is the most calls in flight at once (1: one at a time).</summary>
    public EndpointGovernor(string name, int ceiling)
    {
        Name = name;
        _ceiling = Math.Max(1, ceiling);
        _limit = Math.Min(4, _ceiling);
    }

    /// <summary>The endpoint, e.g. lambda us-west-2.</summary>
    public string Name { get; }
    /// <summary>Throttled responses seen.</summary>
    public int Throttles { get; private set; }
    /// <summary>The highest concurrency limit reached.</summary>
    public int PeakConcurrency { get; private set; }
    /// <summary>The current rate cap in calls a second (infinity until the first throttle).</summary>
    public double Rate { get { lock (_lock) return _rate; } }

    private static double Now => Clock.Elapsed.TotalSeconds;

    /// <summary>Waits for a slot and for the rate; returns the time the call may start (pass it to <see cref="Release"/>).</summary>
    public async Task<double> AcquireAsync(CancellationToken ct)
    {
        TaskCompletionSource<bool>? wait = null;
        LinkedListNode<TaskCompletionSource<bool>>? node = null;
        lock (_lock)
        {
            if (double.IsNaN(_first)) _first = Now;
            if (_inFlight < (int)_limit) { _inFlight++; PeakConcurrency = Math.Max(PeakConcurrency, _inFlight); }
            else { wait = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously); node = _waiting.AddLast(wait); }
        }
        if (wait is not null)
        {
            using (ct.Register(() =>
            {
                bool removed;
                lock (_lock) { removed = node!.List is not null; if (removed) _waiting.Remove(node); }
                if (removed) wait.TrySetCanceled();
            }))
                await wait.Task.ConfigureAwait(false); // a granted slot is already counted in _inFlight
        }
        double delay;
        lock (_lock)
        {
            var now = Now;
            if (double.IsPositiveInfinity(_rate)) delay = 0;
            else
            {
                var at = Math.Max(now, _next);
                _next = at + 1 / _rate;
                delay = at - now;
            }
        }
        if (delay > 0.0005)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(delay), ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { Release(Now, GovernedOutcome.Neutral); throw; }
        }
        return Now;
    }

    /// <summary>Gives the slot back and learns from the outcome.</summary>
    public void Release(double started, GovernedOutcome outcome)
    {
        var grant = new List<TaskCompletionSource<bool>>();
        lock (_lock)
        {
            _inFlight--;
            var now = Now;
            while (_served.Count > 0 && _served.Peek() < now - 1) _served.Dequeue();
            if (outcome == GovernedOutcome.Throttled)
            {
                Throttles++;
                if (started > _lastCut)
                {
                    var window = Math.Max(0.1, Math.Min(1.0, now - _first));
                    var measured = _served.Count / window;
                    _rate = Math.Min(_rate, Math.Max(MinRate, measured * Cut));
                    if (double.IsNaN(_rate) || double.IsInfinity(_rate)) _rate = MinRate;
                    _lastCut = now;
                    _next = Math.Max(_next, now + 1 / _rate);
                }
            }
            else if (outcome == GovernedOutcome.Served)
            {
                _served.Enqueue(now);
                // The rate rises only while it is what holds calls back (the schedule is full), so it never drifts far above use.
                if (!double.IsPositiveInfinity(_rate) && _next >= now - 1 / _rate) _rate += RaisePerServed;
                // Calls are waiting for a slot: latency-bound, so allow one more in flight.
                if (_waiting.Count > 0 && _limit < _ceiling) _limit = Math.Min(_ceiling, _limit + 1);
            }
            while (_inFlight < (int)_limit && _waiting.Count > 0)
            {
                var first = _waiting.First!;
                _waiting.RemoveFirst();
                _inFlight++;
                grant.Add(first.Value);
            }
            PeakConcurrency = Math.Max(PeakConcurrency, _inFlight);
        }
        foreach (var g in grant) g.TrySetResult(true);
    }
}

/// <summary>One <see cref="EndpointGovernor"/> per endpoint (service and signing region) of one set of credentials.</summary>
internal sealed class EndpointGovernors
{
    private readonly Dictionary<string, EndpointGovernor> _byEndpoint = new(StringComparer.Ordinal);
    private readonly int _ceiling;

    public EndpointGovernors(int ceiling) => _ceiling = ceiling;

    public EndpointGovernor For(string service, string region)
    {
        var key = service + " " + region;
        lock (_byEndpoint)
        {
            if (!_byEndpoint.TryGetValue(key, out var g)) _byEndpoint[key] = g = new EndpointGovernor(key, _ceiling);
            return g;
        }
    }

    /// <summary>Every endpoint called so far.</summary>
    public IReadOnlyList<EndpointGovernor> All { get { lock (_byEndpoint) return new List<EndpointGovernor>(_byEndpoint.Values); } }
}

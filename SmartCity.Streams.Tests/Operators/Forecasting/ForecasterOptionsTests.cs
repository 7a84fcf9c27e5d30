using SmartCity.Streams.Operators.Forecasting;

namespace SmartCity.Streams.Tests.Operators.Forecasting;

public sealed class ForecasterOptionsTests
{
    [Fact]
    public void Invalid_options_are_rejected_with_the_option_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineForecaster(new ForecasterOptions { Horizon = 0 }));
        Assert.Equal("Horizon", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineForecaster(new ForecasterOptions { ForgettingFactor = 0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineForecaster(new ForecasterOptions { Models = ForecastModels.None }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineForecaster(new ForecasterOptions { Step = TimeSpan.Zero }));
    }

    [Fact]
    public void Models_are_reported_in_a_fixed_order_with_the_combination_last()
    {
        var forecaster = new OnlineForecaster(new ForecasterOptions());
        Assert.Equal(6, forecaster.ModelCount);
        Assert.Equal(ForecastModels.Persistence, forecaster.ModelAt(0));
        Assert.Equal(ForecastModels.Combined, forecaster.ModelAt(5));
        Assert.Equal(4, forecaster.IndexOf(ForecastModels.Autoregressive));
    }

    [Fact]
    public void Late_readings_are_counted_and_dropped()
    {
        long step = TimeSpan.FromMinutes(5).Ticks / TimeSpan.TicksPerMicrosecond;
        var forecaster = new OnlineForecaster(new ForecasterOptions { Models = ForecastModels.Persistence });
        forecaster.Update([0], [10 * step], [1.0]);
        Assert.True(forecaster.TryAdvance(11 * step));
        forecaster.Update([0], [(10 * step) + 1], [99.0]);
        Assert.Equal(1, forecaster.LateReadings);
        Assert.Equal(1.0, forecaster.Forecasts(0)[0]);
    }

    [Fact]
    public void Readings_in_one_step_are_averaged_and_gaps_carry_the_last_value()
    {
        long step = TimeSpan.FromMinutes(5).Ticks / TimeSpan.TicksPerMicrosecond;
        var forecaster = new OnlineForecaster(new ForecasterOptions { Models = ForecastModels.Persistence, Horizon = 2 });
        forecaster.Update([0, 0], [0, step - 1], [2.0, 4.0]);
        Assert.True(forecaster.TryAdvance(step));
        Assert.Equal(3.0, forecaster.Forecasts(0)[1]);
        Assert.True(forecaster.TryAdvance(2 * step));
        Assert.False(forecaster.TryAdvance(2 * step));
        Assert.Equal(3.0, forecaster.Forecasts(0)[0]);
    }

    [Fact]
    public void Road_graph_drops_self_loops_and_zero_weights()
    {
        var graph = RoadGraph.FromDense([1, 0.5, 0, 0.5, 1, 0, 0, 0, 1], 3);
        Assert.Equal(2, graph.EdgeCount);
        Assert.Equal([1], graph.Neighbours(0).ToArray());
        Assert.Equal([0.5], graph.Weights(0).ToArray());
        Assert.True(graph.Neighbours(2).IsEmpty);
        Assert.True(graph.Neighbours(7).IsEmpty);
    }
}

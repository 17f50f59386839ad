// The app's echarts: only the chart types and components that the options
// built in reports/charts use. A type or component missing here is ignored
// by echarts without a word, so TestBrowserChartsModularBuild checks every
// chart of the app against this build; add the import here when a chart
// starts using another one, then run `npm run build`.
import * as echarts from "echarts/core";
import { BarChart, BoxplotChart, LineChart, RadarChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  RadarComponent,
  TitleComponent,
  TooltipComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart, BoxplotChart, LineChart, RadarChart,
  GridComponent, LegendComponent, MarkLineComponent, RadarComponent, TitleComponent, TooltipComponent,
  CanvasRenderer,
]);

export * from "echarts/core";

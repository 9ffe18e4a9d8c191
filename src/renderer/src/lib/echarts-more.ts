/** The ECharts parts only the Features, Train and Results views draw with: bars, points and mark lines. */
import { BarChart, ScatterChart } from 'echarts/charts';
import { MarkLineComponent } from 'echarts/components';
import { echarts } from './echarts';

echarts.use([BarChart, ScatterChart, MarkLineComponent]);

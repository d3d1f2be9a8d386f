/** Open, KEV and past-SLA findings per day, with the same figures as a table for screen readers. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DashboardData } from '../pages/dashboard-model.js';

export default function TrendChart({ data }: { data: DashboardData['trend'] }) {
  return (
    <section className="panel" aria-labelledby="trend-title">
      <h2 id="trend-title">Open findings, last {data.length} days</h2>
      <div
        className="chart"
        role="img"
        aria-label="Line chart of open, KEV and SLA-breached findings per day"
      >
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={[...data]} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} accessibilityLayer>
            <CartesianGrid stroke="#d0d7de" strokeDasharray="3 3" />
            <XAxis dataKey="date" tick={{ fill: '#3d4451', fontSize: 12 }} minTickGap={24} />
            <YAxis allowDecimals={false} tick={{ fill: '#3d4451', fontSize: 12 }} width={48} />
            <Tooltip />
            <Legend />
            <Line
              isAnimationActive={false}
              type="monotone"
              dataKey="open"
              name="Open"
              stroke="#1f5fbf"
              strokeWidth={2}
              dot={false}
            />
            <Line
              isAnimationActive={false}
              type="monotone"
              dataKey="kev"
              name="KEV"
              stroke="#a3161a"
              strokeWidth={2}
              dot={false}
            />
            <Line
              isAnimationActive={false}
              type="monotone"
              dataKey="breached"
              name="Past SLA"
              stroke="#8a4b00"
              strokeWidth={2}
              strokeDasharray="5 3"
              dot={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details>
        <summary>Show the figures as a table</summary>
        <table className="data-table compact">
          <caption className="visually-hidden">Open findings per day</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Open</th>
              <th scope="col">KEV</th>
              <th scope="col">Past SLA</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.date}>
                <td>{d.date}</td>
                <td>{d.open}</td>
                <td>{d.kev}</td>
                <td>{d.breached}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { DataTable, type Column } from './DataTable.js';

interface Row {
  id: number;
  name: string;
}
const rows: Row[] = Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, name: `host-${i + 1}` }));
const columns: Column<Row>[] = [
  { key: 'name', header: 'Hostname', sort: 'hostname', render: (r) => r.name },
  { key: 'id', header: 'Id', render: (r) => r.id },
];

describe('DataTable', () => {
  it('renders only the rows in view out of 10,000, as a real table with its row count', () => {
    render(<DataTable caption="Hosts" rows={rows} columns={columns} rowKey={(r) => r.id} />);
    const table = screen.getByRole('table', { name: 'Hosts' });
    expect(table).toHaveAttribute('aria-rowcount', '10001');
    const bodyRows = within(table)
      .getAllByRole('row')
      .filter((r) => r.getAttribute('aria-rowindex'));
    expect(bodyRows.length).toBeGreaterThan(5);
    expect(bodyRows.length).toBeLessThan(100);
    expect(screen.getByText('host-1')).toBeInTheDocument();
    expect(screen.queryByText('host-9999')).not.toBeInTheDocument();
  });

  it('sorts through the server: the header button asks for the next order and shows the current one', async () => {
    const onSort = vi.fn();
    const { rerender } = render(
      <DataTable
        caption="Hosts"
        rows={rows.slice(0, 3)}
        columns={columns}
        rowKey={(r) => r.id}
        onSort={onSort}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: /Hostname/ }));
    expect(onSort).toHaveBeenLastCalledWith({ key: 'hostname', order: 'desc' });
    rerender(
      <DataTable
        caption="Hosts"
        rows={rows.slice(0, 3)}
        columns={columns}
        rowKey={(r) => r.id}
        onSort={onSort}
        sort={{ key: 'hostname', order: 'desc' }}
      />,
    );
    expect(screen.getByRole('columnheader', { name: /Hostname/ })).toHaveAttribute('aria-sort', 'descending');
    await userEvent.click(screen.getByRole('button', { name: /Hostname/ }));
    expect(onSort).toHaveBeenLastCalledWith({ key: 'hostname', order: 'asc' });
    // A column without a server sort key is plain text.
    expect(screen.queryByRole('button', { name: 'Id' })).not.toBeInTheDocument();
  });

  it('selects rows with labelled checkboxes, and all rows of the page at once', async () => {
    const onSelect = vi.fn();
    render(
      <DataTable
        caption="Hosts"
        rows={rows.slice(0, 3)}
        columns={columns}
        rowKey={(r) => r.id}
        rowLabel={(r) => r.name}
        selected={new Set([2])}
        onSelect={onSelect}
      />,
    );
    expect(screen.getByRole('checkbox', { name: 'Select host-2' })).toBeChecked();
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select host-1' }));
    expect([...(onSelect.mock.lastCall?.[0] as Set<number>)].sort()).toEqual([1, 2]);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select all rows on this page' }));
    expect([...(onSelect.mock.lastCall?.[0] as Set<number>)].sort()).toEqual([1, 2, 3]);
  });
});

// Original file: protos/streamplatform/v1/events.proto


export interface GetEventsRequest {
  /**
   * At most 100.
   */
  'ids'?: (string)[];
}

export interface GetEventsRequest__Output {
  /**
   * At most 100.
   */
  'ids': (string)[];
}
